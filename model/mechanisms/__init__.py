"""The model's processes, one module each (farming, labour, pooling, cooperatives ...)."""
