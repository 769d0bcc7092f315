"""Checks of `edition_of`, the link between a course's English and Swahili editions."""

from wired4ex.catalog.content_tree import CourseSource


class EditionChecks:
    """Mixed into the content loader: needs self.tree, self.known_course_keys, self.root and
    self.report."""

    def check_editions(self) -> None:
        """`edition_of` links two courses in different languages, from one side, without chains;
        modules with the same id in both are a pair and must give the same CPD points."""
        courses = {course.key: course for course in self.tree.courses}
        known = self.known_course_keys | set(courses)
        linked_from: dict[str, str] = {}
        for course in self.tree.courses:
            target_key = course.edition_of
            if target_key is None:
                continue
            path, line = course.course_file, course.edition_line
            if target_key == course.key:
                self.report(path, line, "a course cannot be an edition of itself")
                continue
            if target_key not in known:
                self.report(path, line, f"edition_of: unknown course {target_key!r}")
                continue
            if target_key in linked_from:
                self.report(path, line,
                            f"{target_key!r} already has another edition ({linked_from[target_key]}); "
                            "a course has one edition in each language")  # fmt: skip
                continue
            linked_from[target_key] = course.key
            target = courses.get(target_key)
            if target is None:
                continue  # already imported: the sync checks the rest
            if target.edition_of is not None:
                self.report(path, line,
                            f"edition_of: {target_key!r} is itself an edition of {target.edition_of!r}; "
                            "write edition_of in one of the two editions only, pointing at the other")  # fmt: skip
                continue
            if target.language == course.language:
                self.report(path, line,
                            f"edition_of: {target_key!r} is in the same language ({course.language}); "
                            "editions are in different languages")  # fmt: skip
                continue
            self._check_pairs(course, target, path, line)

    def _check_pairs(self, course: CourseSource, target: CourseSource, path, line) -> None:
        theirs = {module.key: module for module in target.modules}
        paired = 0
        for module in course.modules:
            other = theirs.get(module.key)
            if other is None:
                continue
            paired += 1
            if (module.cpd_points, module.cpd_category) != (other.cpd_points, other.cpd_category):
                self.report(self.root / module.path, module.key_line,
                            f"module {module.key!r} is paired with {other.path} (same id) and must "
                            f"give the same CPD points and category ({other.cpd_points}, "
                            f"{other.cpd_category})")  # fmt: skip
        if course.modules and target.modules and not paired:
            self.report(path, line,
                        f"no module of this edition has the id of a module of {target.key!r}: "
                        "give the same module the same id in both editions")  # fmt: skip
