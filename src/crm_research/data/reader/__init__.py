"""The one reader of exports: the engine (DuckDB) parses and checks, Python transcodes what the
engine cannot read and explains rejected lines.

Modules, one job each: :mod:`.contracts` (what a valid row is), :mod:`.opening` (paths,
compression, transcoding), :mod:`.structure` (lines of a CSV file), :mod:`.explain` (why a line
is not a row), :mod:`.column_sql` and :mod:`.checker` (the checks in SQL), :mod:`.reasons`
(their wording), :mod:`.quarantine` (quarantine and validated tables), :mod:`.source` (one source
read and checked), :mod:`.accepted` (accepted rows typed or staged), :mod:`.survey` (the XML
survey export), :mod:`.folder` (files, frames, export folders), :mod:`.configuration` (the YAML
data configuration), :mod:`.own_data` (the configured sources validated, staged and built into a
database), :mod:`.validation_report` (the readable report).
"""

from crm_research.data.reader.checker import MAX_FIELD_CHARS, Checker
from crm_research.data.reader.configuration import ConfigError, DataConfig, Source, load_config
from crm_research.data.reader.contracts import (
    CONTRACTS,
    DATE,
    MAX_AMOUNT,
    MAX_ORDER_KRW,
    SOURCE_FILES,
    TS,
    Col,
    Contract,
    InputFileError,
    RowValidationError,
    check_header,
    for_header,
)
from crm_research.data.reader.explain import explain_line
from crm_research.data.reader.folder import (
    not_provided,
    validate_file,
    validate_folder,
    validate_frame,
)
from crm_research.data.reader.opening import Prepared, check_path, prepare, read_header
from crm_research.data.reader.own_data import (
    DataRefused,
    build_database,
    validate_config,
    validate_source,
)
from crm_research.data.reader.quarantine import (
    QUARANTINE_COLUMNS,
    Validated,
    neutralise,
    quarantine_reason_kind,
)
from crm_research.data.reader.reasons import resolve_duplicates
from crm_research.data.reader.source import Result, check_source
from crm_research.data.reader.structure import line_of_rows, scan_structure
from crm_research.data.reader.survey import read_survey_xml
from crm_research.data.reader.validation_report import SourceResult, readable_report

__all__ = [
    "CONTRACTS",
    "DATE",
    "MAX_AMOUNT",
    "MAX_FIELD_CHARS",
    "MAX_ORDER_KRW",
    "QUARANTINE_COLUMNS",
    "SOURCE_FILES",
    "TS",
    "Checker",
    "Col",
    "ConfigError",
    "Contract",
    "DataConfig",
    "DataRefused",
    "InputFileError",
    "Prepared",
    "Result",
    "RowValidationError",
    "Source",
    "SourceResult",
    "Validated",
    "build_database",
    "check_header",
    "check_path",
    "check_source",
    "explain_line",
    "for_header",
    "line_of_rows",
    "load_config",
    "neutralise",
    "not_provided",
    "prepare",
    "quarantine_reason_kind",
    "read_header",
    "read_survey_xml",
    "readable_report",
    "resolve_duplicates",
    "scan_structure",
    "validate_config",
    "validate_file",
    "validate_folder",
    "validate_frame",
    "validate_source",
]
