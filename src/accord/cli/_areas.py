"""Import the command modules of each area so they register on `accord.cli.main`.

Add a line here for a new area's module (for example `from . import agreement`).
"""

from . import projects  # noqa: E402,F401
from . import texts  # noqa: E402,F401
from . import codebooks  # noqa: E402,F401
from . import coding  # noqa: E402,F401
from . import export  # noqa: E402,F401
from . import agreement  # noqa: E402,F401
from . import suggest  # noqa: E402,F401
from . import variables  # noqa: E402,F401
from . import sequences  # noqa: E402,F401
from . import journal  # noqa: E402,F401
from . import edits  # noqa: E402,F401
from . import ratings  # noqa: E402,F401
from . import analysis  # noqa: E402,F401
from . import links  # noqa: E402,F401
