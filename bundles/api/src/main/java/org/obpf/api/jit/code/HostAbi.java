package org.obpf.api.jit.code;

/**
 * The contract between a host back-end's code and the runtime that runs it in-process (core's
 * {@code org.obpf.core.exec}): how the entry is called, the per-run context block the code
 * reads and writes, and the runtime symbols it is linked against.
 *
 * <h2>Entry</h2>
 * {@code long entry(long r1, long r2, long runContext)}, C calling convention of the host: BPF r1
 * and r2 as given, r0 returned. {@code runContext} is the address of a {@link #CONTEXT_SIZE}-byte
 * block laid out as below, owned by one run on one thread.
 *
 * <h2>Run context</h2>
 * Every field is little-endian at the offsets named here. The BPF stack is not the machine
 * stack: it is {@link #MAX_CALL_FRAMES} frames of {@link #STACK_FRAME} bytes below
 * {@link #STACK_TOP}, so that no return address or saved register is ever reachable from BPF
 * memory accesses. A run that ends with an error ({@link #ERROR} non-zero after the entry
 * returns) has no meaningful r0.
 */
public final class HostAbi {
    private HostAbi() {}

    /** Bytes of BPF stack per frame (the kernel's {@code MAX_BPF_STACK}). */
    public static final int STACK_FRAME = 512;
    /** Frames: the main program plus 7 nested BPF-to-BPF calls (the kernel's {@code MAX_CALL_FRAMES}). */
    public static final int MAX_CALL_FRAMES = 8;
    /** Tail calls per run (the kernel's {@code MAX_TAIL_CALL_CNT}). */
    public static final int MAX_TAIL_CALL_CNT = 33;

    /** u64: machine stack pointer saved by the entry, used to unwind a run that ends with an error. */
    public static final int SAVED_SP = 0;
    /** u64: address just above the BPF stack; r10 of the main program. */
    public static final int STACK_TOP = 8;
    /** u32: tail calls taken in this run. */
    public static final int TAIL_CALLS = 16;
    /** u32: current BPF-to-BPF call depth (0 in the main program). */
    public static final int CALL_DEPTH = 20;
    /** u32: 0 while the run goes on; else the Linux errno it ended with. */
    public static final int ERROR = 24;
    /** u32: the instruction slot that ended the run. */
    public static final int ERROR_INSN = 28;
    /** u64: the faulting address of a refused access (sandbox), or 0. */
    public static final int ERROR_ADDRESS = 32;
    /** u32: bits 0..7 the access width, bit 8 set for a write, of a refused access. */
    public static final int ERROR_ACCESS = 40;
    /** u32: number of entries used in the region table. */
    public static final int REGION_COUNT = 44;
    /** The region table: {@link #MAX_REGIONS} entries of {@link #REGION_SIZE} bytes. */
    public static final int REGIONS = 48;
    /** Region entry: u64 start, u64 end (exclusive), u64 writable (0 or 1). */
    public static final int REGION_SIZE = 24;
    public static final int REGION_START = 0;
    public static final int REGION_END = 8;
    public static final int REGION_WRITABLE = 16;
    public static final int MAX_REGIONS = 32;
    /** Size of the run context block. */
    public static final int CONTEXT_SIZE = REGIONS + MAX_REGIONS * REGION_SIZE;

    /** Bit of {@link #ERROR_ACCESS} set for writes. */
    public static final int ACCESS_WRITE = 0x100;

    /**
     * Runtime symbol: {@code long bpf_tail_call(long runContext, long progArray, long index)}.
     * Returns the entry address of the program to continue with, or 0 to fall through. It checks
     * the index against the array, the count against {@link #MAX_TAIL_CALL_CNT} and counts the
     * tail call in {@link #TAIL_CALLS} (also when the slot is empty), as the kernel's
     * {@code emit_bpf_tail_call_indirect} does. The back-end enters the target past its own
     * entry sequence.
     */
    public static final String TAIL_CALL_SYMBOL = "bpf_tail_call";

    /**
     * Errors the code itself sets in {@link #ERROR}: Linux errno values.
     */
    public static final int EFAULT = 14;
    public static final int E2BIG = 7;
    public static final int EINVAL = 22;
    public static final int EACCES = 13;
}
