"""crm-research: reproducible CRM analytics (integration, RFM/CLV, segmentation, churn, uplift).

The sub-packages and modules by role:

* **CRM steps** — :mod:`~crm_research.integrate` (data integration and identity resolution),
  :mod:`~crm_research.rfm` (RFM), :mod:`~crm_research.clv` (customer lifetime value),
  :mod:`~crm_research.segment` (segmentation), :mod:`~crm_research.churn` (churn),
  :mod:`~crm_research.uplift` (campaign uplift), :mod:`~crm_research.cases` (published cases
  reproduced), :mod:`~crm_research.programme` (the ten steps, KPI targets, business design,
  IT plan);
* **data** — :mod:`~crm_research.data` (the datasets, the reader of your exports, the simulator);
* **reporting** — :mod:`~crm_research.reporting` (the report runner, pages, run history, KPIs),
  :mod:`~crm_research.plots` (figures), :mod:`~crm_research.tables` (tables);
* **teaching** — :mod:`~crm_research.teaching` (the course pattern, the glossary, the book);
* and :mod:`~crm_research.config` (paths), :mod:`~crm_research.cli` (the ``crm-research``
  command), :mod:`~crm_research.privacy` (pseudonymisation).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("crm-research")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"
