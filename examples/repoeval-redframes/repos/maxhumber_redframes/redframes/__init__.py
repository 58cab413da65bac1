from . import stat
from .core import DataFrame
from .io import load, save, unwrap, wrap
from .version import __version__
