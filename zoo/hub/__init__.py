"""Hub I/O: ``save_pretrained`` directories, ``local-dir:`` and ``hf-hub:`` loading, pushes.

See DESIGN.md, "Weights and the Hub". Everything goes through ``huggingface_hub`` (cache,
``HF_ENDPOINT``, token, ``HF_HUB_OFFLINE``) and ``safetensors``; nothing is unpickled.
"""

from zoo.hub.export import save_pretrained
from zoo.hub.load import load_hub, load_local
from zoo.hub.push import PushResult, push_folder, push_to_hub

__all__ = ["PushResult", "load_hub", "load_local", "push_folder", "push_to_hub", "save_pretrained"]
