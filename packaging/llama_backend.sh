#!/usr/bin/env bash
# Build llama-cpp-python portable (any x86-64 CPU with AVX2, not just this one) with the GPU backend asked for, and
# install it into VENV. `make run`/`make test` use it for .venv and `make package` for .venv-package, so the tests
# exercise the llama.cpp that ships. Run it by hand to switch backend, e.g. packaging/llama_backend.sh cuda .venv
#
#   packaging/llama_backend.sh cpu|cuda|metal|vulkan [VENV]
#
# Why not a plain `pip install llama-cpp-python`: llama.cpp then compiles with -march=native (GGML_NATIVE), so a
# bundle made from it can crash with "illegal instruction" on an older CPU, and on Xeons with AMX it adds an AMX
# weight copy the fit estimate does not model (and crashes on tiny Q8_0 models). GGML_NATIVE=OFF avoids all three.
# cuda needs the CUDA toolkit (nvcc) on the build machine; the bundle then carries the CUDA runtime libraries
# (cudart, cuBLAS) but never the driver (libcuda), which must come from the user's system.
# metal is llama.cpp's default on Apple Silicon; vulkan needs the Vulkan SDK (glslc).
set -euo pipefail

backend=${1:?usage: packaging/llama_backend.sh cpu|cuda|metal|vulkan [VENV]}
venv=${2:-.venv}
python="$venv/bin/python"
[ -x "$python" ] || { echo "llama_backend.sh: no Python at $python (create the venv first)" >&2; exit 2; }

common="-DGGML_NATIVE=OFF"
case "$backend" in
    cpu) args="$common -DGGML_CUDA=OFF -DGGML_VULKAN=OFF" ;;
    cuda)
        command -v nvcc >/dev/null || { echo "llama_backend.sh: cuda needs nvcc (the CUDA toolkit) on PATH" >&2; exit 2; }
        # Turing (RTX 20xx) to Hopper as native code, plus PTX for the newest GPUs to compile at first load.
        args="$common -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=75-real;80-real;86-real;89-real;90"
        ;;
    metal)
        [ "$(uname -s)" = Darwin ] || { echo "llama_backend.sh: metal builds only on macOS" >&2; exit 2; }
        args="$common -DGGML_METAL=ON"
        ;;
    vulkan) args="$common -DGGML_VULKAN=ON" ;;
    *) echo "llama_backend.sh: unknown backend '$backend' (cpu, cuda, metal or vulkan)" >&2; exit 2 ;;
esac

# The same llama-cpp-python as development uses, unless LLAMA_CPP_VERSION says otherwise.
version=${LLAMA_CPP_VERSION:-}
if [ -z "$version" ] && [ -x .venv/bin/python ]; then
    version=$(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("llama-cpp-python"))' 2>/dev/null || true)
fi
spec="llama-cpp-python${version:+==$version}"

# Built wheels are kept per backend under build/ (pip's own cache cannot tell builds with different CMAKE_ARGS
# apart), so the development and packaging environments share one compile.
wheels="build/llama-wheels/$backend"
mkdir -p "$wheels"
pattern="llama_cpp_python-${version:-*}-*.whl"  # py3-none-<platform>: llama.cpp is loaded with ctypes
wheel=$(find "$wheels" -name "$pattern" | sort -V | tail -n 1)
if [ -z "$wheel" ]; then
    echo "Building $spec for $backend with CMAKE_ARGS=\"$args\" (several minutes)..."
    CMAKE_ARGS="$args" FORCE_CMAKE=1 "$python" -m pip wheel --no-deps --no-cache-dir --wheel-dir "$wheels" "$spec"
    wheel=$(find "$wheels" -name "$pattern" | sort -V | tail -n 1)
fi
[ -n "$wheel" ] || { echo "llama_backend.sh: no $pattern in $wheels after the build" >&2; exit 1; }
echo "Installing $wheel"
"$python" -m pip install --force-reinstall --no-deps "$wheel"
# Its dependencies (numpy, jinja2, diskcache, typing-extensions) without touching the build just installed.
"$python" -m pip install "$wheel"
"$python" - "$backend" <<'PY'
import sys

import llama_cpp

offload = bool(llama_cpp.llama_supports_gpu_offload())
print(f"llama-cpp-python {llama_cpp.__version__}: GPU offload {'on' if offload else 'off'}")
if sys.argv[1] != "cpu" and not offload:
    sys.exit(f"the {sys.argv[1]} build reports no GPU offload: check the build log above")
PY
