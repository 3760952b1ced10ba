from . import compat
from . import models
from . import wizards

# 19.0 needs the models' SQL constraints as models.Constraint (compat.py).
compat.adapt_model_definitions(compat.MODULE)
