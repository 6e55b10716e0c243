"""zoo-timm: zoo components on timm backbones."""
