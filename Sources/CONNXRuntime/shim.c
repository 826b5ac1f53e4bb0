// SwiftPM needs one source file in a C target; the module is the ONNX Runtime header alone.
#include "../../.deps/onnxruntime/include/onnxruntime_c_api.h"
