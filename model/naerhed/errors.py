"""Exception types. Each kind of failure has its own type; the CLI prints one readable message
for any `NaerhedError` and exits with status 2 (no traceback)."""

EXIT_USER_ERROR = 2


class NaerhedError(Exception):
    """Base class of errors caused by the user's input (scenario, data file, command line)."""


class ProblemsError(NaerhedError):
    """An input file (or a --set override) is invalid. `problems` lists every problem found, each
    a `naerhed.yaml_models.Problem` (file, line, key path, message); str() gives one per line."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ScenarioError(ProblemsError):
    """A scenario file (or a --set override) is invalid. `problems` lists every problem found."""


class RuleSetError(ProblemsError):
    """A nærhedsfinansiering rule set (packaged or the user's YAML file) is invalid, unknown, or the
    rule sets used together do not give exactly one rule set for a year. `problems` lists them."""


class DataError(NaerhedError):
    """A reference data table (packaged or the user's own) is missing, malformed or inconsistent."""
