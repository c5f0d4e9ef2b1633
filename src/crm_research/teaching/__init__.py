"""Teaching: the notebooks as a course.

=====================  ==========================================================================
module                 its one job
=====================  ==========================================================================
:mod:`.course`         the course pattern of the notebooks (objectives, exercises, checked
                       solutions) and their student versions (``python -m crm_research.teaching``
                       writes them)
:mod:`.terms`          the glossary's entries (:data:`GLOSSARY`)
:mod:`.glossary`       looking terms up and linking to them; ``docs/glossary.md``
                       (``python -m crm_research.teaching.glossary`` rewrites it)
:mod:`.site`           the course as a static site: stage, build, check its links
:mod:`.book`           the command ``python -m crm_research.teaching.book`` (``make book``)
=====================  ==========================================================================
"""

from crm_research.teaching.course import (
    EXERCISE,
    NOTEBOOK_RE,
    SOLUTION,
    course_problems,
    exercises,
    student_notebooks,
    student_version,
    tags,
    write_student_versions,
)
from crm_research.teaching.glossary import anchor, link, one_line, to_markdown
from crm_research.teaching.site import (
    book_notebook,
    broken_links,
    build,
    executed_notebooks,
    exercise_box,
    index_page,
    stage,
)
from crm_research.teaching.terms import GLOSSARY

__all__ = [
    "EXERCISE",
    "GLOSSARY",
    "NOTEBOOK_RE",
    "SOLUTION",
    "anchor",
    "book_notebook",
    "broken_links",
    "build",
    "course_problems",
    "executed_notebooks",
    "exercise_box",
    "exercises",
    "index_page",
    "link",
    "one_line",
    "stage",
    "student_notebooks",
    "student_version",
    "tags",
    "to_markdown",
    "write_student_versions",
]
