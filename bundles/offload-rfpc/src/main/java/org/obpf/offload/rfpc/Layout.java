package org.obpf.offload.rfpc;

/**
 * The RFPC's address map, the same on every core. The core window is translated per core to
 * that core's slice of its group's local memory, so one program image runs on every core.
 *
 * <pre>
 * 0x0000_1000  firmware routines: helper id n at FIRMWARE + 16 n; FIRMWARE itself ends a run;
 *              atomic routines from FIRMWARE + 0xe00
 * 0x0001_0000  core window (per core): context, packet frame, run context, BPF stack, machine stack
 * 0x0010_0000  code memory (instruction memory, read-only to programs)
 * 0x0040_0000  group local memory (shared by the group's cores, no cache)
 * 0x8000_0000  DRAM (maps)
 * </pre>
 */
public final class Layout {
    private Layout() {}

    public static final int FIRMWARE = 0x0000_1000;
    public static final int FIRMWARE_SIZE = 0x1000;
    /** Where a program returns to: the firmware routine that ends the run. */
    public static final int EXIT = FIRMWARE;
    public static final int WINDOW = 0x0001_0000;
    public static final int CODE = 0x0010_0000;
    public static final int LOCAL = 0x0040_0000;
    public static final int DRAM = 0x8000_0000;

    public static final int CODE_MAX = LOCAL - CODE;
    public static final int LOCAL_MAX = 0x4000_0000;
    public static final int DRAM_MAX = 0x4000_0000;
    public static final int WINDOW_MAX = CODE - WINDOW;

    /** Inside the window: the kernel-side context ({@code struct xdp_buff} as core lays it out). */
    public static final int CTX = 0;
    /** Inside the window: the 4096-byte packet frame ({@code XDP_PACKET_HEADROOM} + data + tailroom). */
    public static final int FRAME = 0x100;
    public static final int FRAME_SIZE = 4096;
    /** Inside the window: the run context block the code reads and writes ({@code HostAbi}). */
    public static final int RUN_CONTEXT = FRAME + FRAME_SIZE;
    /** Inside the window: the top of the BPF stack ({@code HostAbi.MAX_CALL_FRAMES} frames of 512 bytes below it). */
    public static final int BPF_STACK_TOP = 0x2500;
    /** Inside the window: the machine stack, growing down from the window's end, at least this big. */
    public static final int STACK_SIZE = 4096;
    public static final int WINDOW_MIN = BPF_STACK_TOP + STACK_SIZE;

    static {
        if (RUN_CONTEXT + org.obpf.api.jit.code.HostAbi.CONTEXT_SIZE
                > BPF_STACK_TOP - org.obpf.api.jit.code.HostAbi.MAX_CALL_FRAMES * org.obpf.api.jit.code.HostAbi.STACK_FRAME) {
            throw new AssertionError("run context and BPF stack overlap");
        }
    }

    /** Device address of helper {@code id}'s firmware routine. */
    public static int helperAddress(int id) {
        return FIRMWARE + 16 * id;
    }

    /** Firmware atomic routine k of {@code FirmwareAtomics.SYMBOLS} at {@code ATOMICS + 16 k} (above every helper id). */
    public static final int ATOMICS = FIRMWARE + 0xe00;

    /** Device address of the firmware atomic routine at {@code index} of {@code FirmwareAtomics.SYMBOLS}. */
    public static int atomicAddress(int index) {
        return ATOMICS + 16 * index;
    }

    /** Extra cycles for a DRAM access (local memory and the window are reached directly). */
    public static final int DRAM_PENALTY = 20;
}
