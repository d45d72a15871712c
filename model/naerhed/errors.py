"""Exception types. Each kind of failure has its own type; the CLI prints one readable message
for any `NaerhedError` and exits with status 2 (no traceback)."""

EXIT_USER_ERROR = 2


class NaerhedError(Exception):
    """Base class of errors caused by the user's input (scenario, data file, command line)."""


class ScenarioError(NaerhedError):
    """A scenario file (or a --set override) is invalid. `problems` lists every problem found."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class DataError(NaerhedError):
    """A reference data table (packaged or the user's own) is missing, malformed or inconsistent."""
