"""``python -m crm_research.teaching [NOTEBOOKS_DIR] [OUT_DIR]``: write the student version of
every notebook (default: the repository's notebooks to ``reports/student``)."""

import sys
from pathlib import Path

from crm_research.config import NOTEBOOKS_DIR, PROJ_ROOT
from crm_research.teaching.course import write_student_versions

if __name__ == "__main__":  # pragma: no cover
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else NOTEBOOKS_DIR
    dst = Path(sys.argv[2]) if len(sys.argv) > 2 else PROJ_ROOT / "reports" / "student"
    for p in write_student_versions(src, dst):
        print(p)
