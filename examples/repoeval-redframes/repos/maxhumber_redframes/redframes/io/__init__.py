from .convert import unwrap, wrap
from .load import load
from .save import save
