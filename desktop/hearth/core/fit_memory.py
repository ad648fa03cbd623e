"""The memory llama.cpp allocates for a model and context, per device, as formulas mirroring its source.

Sources (llama.cpp as vendored by llama-cpp-python 0.3.36):

* context padding: ``cparams.n_ctx = GGML_PAD(n_ctx, 256)`` in ``llama_context::llama_context``
  (src/llama-context.cpp), flash attention or not; the KV cache has ``n_ctx_seq`` cells (one sequence).
* KV cache: ``llama_kv_cache::llama_kv_cache`` (src/llama-kv-cache.cpp) creates per layer a K tensor of
  ``n_embd_k_gqa(il) x cells`` and a V tensor of ``n_embd_v_gqa(il) x cells`` — except that without flash
  attention V is stored transposed and every layer uses ``n_embd_v_gqa_max()`` ([TAG_V_CACHE_VARIABLE]).
* sliding-window layers: ``llama_kv_cache_iswa`` (src/llama-kv-cache-iswa.cpp) gives them
  ``GGML_PAD(min(n_ctx, n_swa + n_ubatch), 256)`` cells, or the full context with ``swa_full``.
* weight placement: ``llama_model_base::load_tensors`` (src/llama-model.cpp): ``n_gpu_layers`` counts the
  ``n_layer`` blocks plus the output layer; the last ``n_gpu_layers`` of those ``n_layer + 1`` go to the GPU,
  so the output layer is the first one offloaded; the token embeddings always stay on the CPU.
* compute buffer: ``llama_context::sched_reserve`` reserves the worst-case graph for ``n_ubatch`` tokens with
  ``n_ubatch`` outputs and a full cache; ggml-alloc reuses memory, so the buffer is the graph's peak of live
  tensors. ``compute_bytes`` models three peaks (attention, feed-forward, output/logits) whose terms were
  calibrated against llama.cpp's reported sizes on generated models and Gemma 3 270M (bench/fit_accuracy.py).
* output buffer: ``llama_context::output_reserve``: ``n_vocab`` floats for one sequence.
"""

from __future__ import annotations

from dataclasses import dataclass

from hearth.core.fit_shape import ModelShape
from hearth.core.load_settings import LoadSettings, cache_row_bytes

CTX_PAD = 256  # GGML_PAD(n_ctx, 256) in llama_context; the SWA cache too
F32 = 4

# Calibrated (generated models, n_ubatch 256/512): live activations besides the attention scores, in rows of
# n_ubatch floats. Attention: residual + normed input + attention output (3 x n_embd) and Q twice.
ATTN_EMBD_ROWS, ATTN_Q_ROWS = 3.0, 2.0
# Feed-forward: gate, up and their product (3 x n_ff) with the residual stream (3 x n_embd).
FFN_EMBD_ROWS, FFN_FF_ROWS = 3.0, 3.0
# Output: the logits (n_vocab per output row) next to the final hidden state and its norm (2 x n_embd).
OUT_EMBD_ROWS = 2.0
GRAPH_INPUTS_BYTES = 16 * 1024  # positions, output ids, small graph inputs

# Resident-only terms (measured RSS, CPU): the context and vocabulary structures llama.cpp and the binding build
# (~8 MiB plus ~150 bytes a token), and the CPU backend's per-graph work buffer (activations converted for the
# matrix products: about one n_ubatch x max(n_ff, n_embd) float block, or without flash attention the KQ scores
# converted to F16 — 64 MiB for 8 heads at 8k context, which RSS shows and llama.cpp's log does not).
RUNTIME_BASE_BYTES = 8 * 1024 * 1024
RUNTIME_BYTES_PER_TOKEN = 150


def padded_context(n_ctx: int) -> int:
    """The context llama.cpp really allocates: GGML_PAD(n_ctx, 256)."""
    return -(-n_ctx // CTX_PAD) * CTX_PAD


def kv_cells(shape: ModelShape, settings: LoadSettings) -> tuple[int, ...]:
    """Cells per layer: the padded context, or the sliding-window cache size on SWA layers."""
    n_ctx = padded_context(settings.n_ctx)
    if not shape.has_swa or settings.swa_full:
        return (n_ctx,) * shape.n_layers
    swa = padded_context(min(n_ctx, shape.n_swa + settings.effective_n_ubatch))
    return tuple(swa if is_swa else n_ctx for is_swa in shape.swa_layers)


def kv_layer_bytes(shape: ModelShape, settings: LoadSettings) -> tuple[int, ...]:
    """KV cache bytes of each layer (K and V rows of ggml_row_size(type, width) per cell)."""
    cells = kv_cells(shape, settings)
    out = []
    for il in range(shape.n_layers):
        v_width = shape.kv_width_v(il) if settings.flash_attn else shape.kv_width_v_max
        row = cache_row_bytes(settings.type_k, shape.kv_width_k(il)) + cache_row_bytes(settings.type_v, v_width)
        out.append(row * cells[il])
    return tuple(out)


def output_buffer_bytes(shape: ModelShape) -> int:
    """llama_context::output_reserve(n_seq_max=1): one row of logits, on the host."""
    return shape.n_vocab * F32


def compute_bytes(shape: ModelShape, settings: LoadSettings, *, n_outputs: int | None = None) -> int:
    """Peak of the worst-case graph llama.cpp reserves (``sched_reserve``), for one device holding everything.

    ``n_outputs`` defaults to n_ubatch, as ``sched_reserve`` reserves it (``n_outputs_pp``); the resident
    estimate passes 1, the number of logits rows llama-cpp-python asks for during a prompt.
    """
    t = settings.effective_n_ubatch
    rows = t if n_outputs is None else n_outputs
    cells = kv_cells(shape, settings)
    mask_elem = 2 if settings.flash_attn else F32  # the KQ mask is F16 for flash attention
    # One mask per cache kind (full / SWA); each lives until the last layer that reads it.
    masks = {False: 0, True: 0}
    last_use = {False: -1, True: -1}
    for il, is_swa in enumerate(shape.swa_layers):
        masks[is_swa] = cells[il] * t * mask_elem
        last_use[is_swa] = il
    peak = 0
    for il in range(shape.n_layers):
        live_masks = sum(masks[kind] for kind in (False, True) if last_use[kind] >= il)
        q_width = shape.n_head[il] * shape.head_k
        attn = (ATTN_EMBD_ROWS * shape.n_embd + ATTN_Q_ROWS * q_width) * t * F32
        if not settings.flash_attn:
            # KQ scores n_kv x n_tokens x n_head (softmax runs in place) and the V-cache row indices (i64).
            attn += cells[il] * t * shape.n_head[il] * F32 + t * shape.kv_width_v_max * 8
        ffn = (FFN_EMBD_ROWS * shape.n_embd + FFN_FF_ROWS * shape.n_ff) * t * F32
        peak = max(peak, live_masks + int(max(attn, ffn)))
    output = (shape.n_vocab * rows + OUT_EMBD_ROWS * shape.n_embd * t) * F32
    return int(max(peak, output)) + GRAPH_INPUTS_BYTES


def runtime_overhead_bytes(shape: ModelShape, settings: LoadSettings) -> int:
    """Host memory outside llama.cpp's reported buffers: context/vocab structures and the CPU work buffer."""
    t = settings.effective_n_ubatch
    work = t * max(shape.n_ff, shape.n_embd) * F32
    if not settings.flash_attn:
        # ggml-cpu's mul_mat converts the KQ scores to F16 (V's vec_dot_type) in its work buffer before KQV.
        cells = kv_cells(shape, settings)
        work = max(work, max(c * t * h * 2 for c, h in zip(cells, shape.n_head, strict=True)))
    return RUNTIME_BASE_BYTES + RUNTIME_BYTES_PER_TOKEN * shape.n_vocab + work


@dataclass(frozen=True)
class Placement:
    """Bytes per device for one choice of ``n_gpu_layers`` (llama.cpp's count, 0..n_layers+1)."""

    gpu_layers: int
    weights_gpu: int
    weights_cpu: int
    kv_gpu: int
    kv_cpu: int
    compute_gpu: int
    compute_cpu: int
    output_cpu: int

    @property
    def gpu_bytes(self) -> int:
        return self.weights_gpu + self.kv_gpu + self.compute_gpu

    @property
    def cpu_bytes(self) -> int:
        return self.weights_cpu + self.kv_cpu + self.compute_cpu + self.output_cpu


def place(shape: ModelShape, settings: LoadSettings, gpu_layers: int, *, repack: bool = True) -> Placement:
    """Split weights, cache and compute between GPU and CPU as ``load_tensors`` would for ``gpu_layers``."""
    n = shape.n_layers
    gpu_layers = max(0, min(gpu_layers, n + 1))
    first_gpu = n + 1 - gpu_layers  # i_gpu_start: layers il >= first_gpu (il == n is the output) are on the GPU
    output_on_gpu = gpu_layers >= 1
    kv = kv_layer_bytes(shape, settings)
    weights_gpu = sum(shape.layer_bytes[first_gpu:])
    kv_gpu = sum(kv[first_gpu:]) if settings.offload_kqv else 0
    # The CPU keeps the token embeddings, its blocks and (when not offloaded) the output layer. With mmap the whole
    # file range stays mapped; CPU_REPACK copies of repackable matrices come on top (they are host allocations).
    weights_cpu = shape.input_bytes + sum(shape.layer_bytes[:first_gpu])
    cpu_repack = sum(shape.layer_repack_bytes[:first_gpu]) if repack else 0
    if output_on_gpu:
        weights_gpu += shape.output_bytes + shape.tied_output_bytes
    else:
        weights_cpu += shape.output_bytes
        cpu_repack += shape.output_repack_bytes if repack else 0
    if settings.use_mmap:
        weights_cpu += cpu_repack
    kv_cpu = sum(kv) - kv_gpu
    full = compute_bytes(shape, settings)
    if gpu_layers == 0:
        compute_gpu, compute_cpu = 0, full
    else:
        # The GPU holds the worst-case graph; the host keeps a staging buffer for the inputs (embeddings and
        # masks), or a full graph of its own when some blocks stay on the CPU. Not calibrated on a GPU yet.
        compute_gpu = full
        t = settings.effective_n_ubatch
        staging = 2 * shape.n_embd * t * F32
        compute_cpu = staging if first_gpu == 0 else max(staging, full - shape.n_vocab * t * F32)
    return Placement(
        gpu_layers=gpu_layers,
        weights_gpu=weights_gpu,
        weights_cpu=weights_cpu,
        kv_gpu=kv_gpu,
        kv_cpu=kv_cpu,
        compute_gpu=compute_gpu,
        compute_cpu=compute_cpu,
        output_cpu=output_buffer_bytes(shape),
    )


def resident_cpu_bytes(
    shape: ModelShape, settings: LoadSettings, placement: Placement, *, filled_ctx: int | None = None
) -> int:
    """Expected peak RSS growth of the process once ``filled_ctx`` tokens (default: the whole context) are in
    the cache (CPU side of ``placement``).

    Mapped weights and the cache are touched in full (the cache is cleared at creation), but of the compute
    buffer only what a real batch uses: llama-cpp-python asks for one row of logits per batch, not n_ubatch,
    so the 262k-vocabulary logits block that dominates Gemma's reservation is never written; and attention
    only spans the filled cells.
    """
    used = settings if filled_ctx is None else settings.replace(n_ctx=max(1, min(filled_ctx, settings.n_ctx)))
    touched_compute = 0
    if placement.compute_cpu:
        touched = compute_bytes(shape, used, n_outputs=1)
        touched_compute = min(placement.compute_cpu, touched)
    return (
        placement.weights_cpu
        + placement.kv_cpu
        + placement.output_cpu
        + touched_compute
        + runtime_overhead_bytes(shape, used)
    )
