"""The competency framework (SPEC §6): behaviours described from novice to expert, the levels
each role (or team) requires, assessments a person acknowledges or appeals, and the skills
matrix with its gaps and the courses that close them.

The rules, stated once (every module of this package follows them):

1. **Levels.** 1 novice, 2 developing, 3 proficient, 4 expert (``levels``).
2. **Versioned descriptors.** Each level of each competency has one current descriptor; an
   edit by HR adds a new version and dates the old one ``replaced_at``. An assessment keeps
   the descriptor it was made against. The framework was introduced when its first
   descriptors were saved; assessments before that day are ``checklist`` assessments.
3. **Required level.** A person's required level in a competency is, for each role they hold
   (everyone holds ``agent``), their team's own requirement for that role if there is one,
   else the role's; the highest over their roles. No requirement: nothing is required.
4. **Assessing.** A team lead assesses the people of their own team (not themselves): a date
   not in the future, a competency, a level, an evidence note and, optionally, a coaching
   session of the same person.
5. **Current level** of a person in a competency = the level of their latest assessment
   (latest date, then latest recorded), or the new level when an appeal of it was upheld.
6. **Acknowledge or appeal.** Only the person assessed acknowledges or appeals an open
   assessment, an appeal with a reason. HR, or a team lead who did not make the assessment,
   resolves the appeal: upheld with a new level or rejected with a reason. Nobody resolves
   the appeal of an assessment of themselves.
7. **Who sees what** (SPEC §0): a person sees their own assessments, a team lead their
   team's, HR and leadership everyone's; a team lead reviewing an appeal sees that assessment.
8. **Gap** = required level − current level, for competencies with a requirement; a person
   never assessed in it counts as below requirement.
"""
