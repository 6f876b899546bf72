"""How the command line reports errors: the one place exceptions become exit codes and
one line on stderr (private)."""
from __future__ import annotations

import sys
from typing import Callable

import pandas as pd

from ..errors import FunnelnetError

#: exit status for bad input or a bad option (argparse uses 2 as well)
BAD_INPUT = 2
#: exit status for a failure that is not the user's input (a bug: please report it)
INTERNAL = 1


class UsageError(Exception):
    """A bad option value or a missing input detected by the command line itself."""


# Errors caused by the user's files or options, mapped to a one-line message.
USER_ERRORS: tuple[type[BaseException], ...] = (
    UsageError, FunnelnetError, FileNotFoundError, IsADirectoryError, PermissionError, NotADirectoryError,
    pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, TypeError, KeyError, UnicodeDecodeError,
    ImportError,  # an optional package (pyarrow for Parquet, matplotlib for charts) is missing
)


def one_line(e: BaseException) -> str:
    """The exception's message on one line, prefixed with its type when it is funnelnet's."""
    msg = str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)
    if isinstance(e, (FileNotFoundError, IsADirectoryError, PermissionError, NotADirectoryError)) and e.filename:
        msg = f"{e.strerror or 'cannot open'}: {e.filename}"
    msg = " ".join(msg.split())
    name = type(e).__name__
    return f"{name}: {msg}" if isinstance(e, FunnelnetError) else msg


def guarded(prog: str, fn: Callable[[], int]) -> int:
    """Run ``fn``; a user error prints ``<prog>: error: <one line>`` and returns 2, any
    other exception one line asking for a bug report and returns 1.  Never a traceback."""
    try:
        return fn()
    except USER_ERRORS as e:
        print(f"{prog}: error: {one_line(e)}", file=sys.stderr)
        return BAD_INPUT
    except BrokenPipeError:  # the reader (e.g. `| head`) stopped reading: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - the last resort: one line, no traceback
        print(f"{prog}: internal error ({type(e).__name__}: {' '.join(str(e).split())}); please report it",
              file=sys.stderr)
        return INTERNAL
