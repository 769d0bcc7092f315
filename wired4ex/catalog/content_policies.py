"""Checks of the policy files (competencies, CPD, membership, certifications) in the content root."""

import hashlib

from wired4ex.catalog import policy
from wired4ex.catalog.sources import YamlMapping


class PolicyChecks:
    """Mixed into the content loader: needs self.report, self.read_yaml, self.tree,
    self.policy_root and self.known_course_keys; sets self.competencies and self.categories."""

    def load_policies(self) -> None:
        folder = self.policy_root / "policy"
        metas: dict[str, YamlMapping] = {}
        for name in policy.POLICY_FILES:
            path = folder / f"{name}.yml"
            if not path.is_file():
                self.report(path, 1, "policy file is missing")
                continue
            meta = self.read_yaml(path)
            if meta is not None:
                metas[name] = meta
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                self.tree.policies[name] = (meta.data, digest)
        if "competencies" in metas:
            path = folder / "competencies.yml"
            self.competencies = policy.validate_competencies(
                metas["competencies"], lambda line, msg: self.report(path, line, msg)
            )
        if "cpd" in metas:
            path = folder / "cpd.yml"
            self.categories = policy.validate_cpd(
                metas["cpd"], lambda line, msg: self.report(path, line, msg)
            )
        if "membership" in metas:
            from wired4ex.membership.policy import validate_membership

            path = folder / "membership.yml"
            validate_membership(
                metas["membership"], lambda line, msg, path=path: self.report(path, line, msg)
            )
        self._certification_meta = metas.get("certifications")

    def check_certifications(self) -> None:
        if self._certification_meta is None:
            return
        path = self.policy_root / "policy" / "certifications.yml"
        course_keys = self.known_course_keys | {course.key for course in self.tree.courses}
        domains = policy.domain_codes(self.tree.policies.get("competencies", ({}, ""))[0])
        policy.validate_certifications(
            self._certification_meta,
            lambda line, msg: self.report(path, line, msg),
            course_keys,
            domains,
        )
