package org.obpf.offload.rfpc;

/**
 * The RFPC's address map, the same on every core. The core window is translated per core to
 * that core's slice of its group's local memory, so one program image runs on every core.
 *
 * <pre>
 * 0x0000_1000  firmware routines: helper id n at FIRMWARE + 16 n; FIRMWARE itself ends a run
 * 0x0001_0000  core window (per core): context, packet frame, stack at the top
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
    /** Inside the window: the stack, growing down from the window's end. */
    public static final int STACK_SIZE = 4096;
    public static final int WINDOW_MIN = FRAME + FRAME_SIZE + STACK_SIZE;

    /** Device address of helper {@code id}'s firmware routine. */
    public static int helperAddress(int id) {
        return FIRMWARE + 16 * id;
    }

    /** Extra cycles for a DRAM access (local memory and the window are reached directly). */
    public static final int DRAM_PENALTY = 20;
}
