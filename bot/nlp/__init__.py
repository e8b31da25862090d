"""Language processing that the project builds itself (no pretrained model can be downloaded)."""
