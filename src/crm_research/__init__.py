"""crm-research: reproducible CRM analytics (integration, RFM/CLV, segmentation, churn, uplift)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("crm-research")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"
