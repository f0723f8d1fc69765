"""Reading TensorFlow Lite flatbuffers with our own code: model, MACs, arena plan (L3)."""
