package org.obpf.offload.rfpc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.jit.code.HostAbi;
import org.obpf.api.offload.DeviceProgram;
import org.obpf.api.prog.ProgramType;
import org.obpf.offload.rfpc.Firmware.XdpBuff;
import org.obpf.offload.rfpc.sim.AddressSpace;
import org.obpf.offload.rfpc.sim.Hart;
import org.obpf.offload.rfpc.sim.SimFault;

/**
 * A program in the RFPC's code memory. A run takes a free core, lays out the context, the packet
 * frame and the run context in that core's window, and calls the entry as the back-ends' contract
 * ({@link HostAbi}) says for RV32: {@code u64 entry(u32 r1, u32 r2, void *runContext)} under ilp32
 * (a0, a1, a2), ra = {@link Layout#EXIT}, sp = the top of the window, the BPF stack below
 * {@link HostAbi#STACK_TOP}; r0 comes back in a0 (low) and a1 (high), and a non-zero
 * {@link HostAbi#ERROR} means the run ended with that errno.
 */
public final class RfpcProgram implements DeviceProgram {
    /** Instructions a run may retire before the device stops it (verified programs end long before). */
    public static final long BUDGET = 50_000_000L;
    static final int XDP_PACKET_HEADROOM = 256, LOOPBACK_IFINDEX = 1;

    private final RfpcDevice device;
    private final String name;
    private final ProgramType type;
    private final long loadAddress;
    private final int entry;
    private final int size;
    private volatile boolean closed;

    RfpcProgram(RfpcDevice device, String name, ProgramType type, long loadAddress, int entry, int size) {
        this.device = device;
        this.name = name;
        this.type = type;
        this.loadAddress = loadAddress;
        this.entry = entry;
        this.size = size;
    }

    @Override
    public String name() {
        return name;
    }

    public ProgramType type() {
        return type;
    }

    @Override
    public long loadAddress() {
        return loadAddress;
    }

    /** Device address of the entry (the main program's first instruction). */
    public long entryAddress() {
        return Integer.toUnsignedLong(entry);
    }

    @Override
    public int size() {
        return size;
    }

    /**
     * {@code BPF_PROG_TEST_RUN} for XDP on the device: the packet at {@code XDP_PACKET_HEADROOM}
     * in a zeroed 4096-byte frame with the shared-info tailroom, {@code struct xdp_buff} as core
     * lays it out but with device addresses. Every repeat starts from the same packet.
     */
    @Override
    public DeviceRun testRun(byte[] packet, int repeat) throws BpfException {
        check();
        int max = Layout.FRAME_SIZE - XDP_PACKET_HEADROOM - Firmware.SKB_SHARED_INFO_SIZE;
        if (packet.length < Firmware.ETH_HLEN) {
            throw new BpfException(Errno.EINVAL, "test_run: " + packet.length + " bytes of packet, at least ETH_HLEN (14) needed");
        }
        if (packet.length > max) throw new BpfException(Errno.E2BIG, "test_run: " + packet.length + " bytes of packet, the most is " + max);
        int runs = Math.max(repeat, 1);
        RfpcDevice.Core core = device.acquire();
        try {
            Hart h = core.hart();
            AddressSpace m = h.memory();
            int ctx = Layout.WINDOW + Layout.CTX, hard = Layout.WINDOW + Layout.FRAME, data = hard + XDP_PACKET_HEADROOM;
            long result = 0;
            long start = System.nanoTime();
            for (int i = 0; i < runs; i++) {
                core.clearWindow();
                m.write(data, packet);
                ByteBuffer x = ByteBuffer.allocate(XdpBuff.SIZE).order(ByteOrder.LITTLE_ENDIAN);
                x.putLong(XdpBuff.DATA, data).putLong(XdpBuff.DATA_END, data + packet.length).putLong(XdpBuff.DATA_META, data)
                        .putLong(XdpBuff.DATA_HARD_START, hard).putInt(XdpBuff.INGRESS_IFINDEX, LOOPBACK_IFINDEX)
                        .putInt(XdpBuff.RX_QUEUE_INDEX, 0).putInt(XdpBuff.FRAME_SZ, Layout.FRAME_SIZE);
                m.write(ctx, x.array());
                result = call(core, ctx, 0);
            }
            long wall = (System.nanoTime() - start) / runs;
            ByteBuffer x = ByteBuffer.wrap(m.read(ctx, XdpBuff.SIZE)).order(ByteOrder.LITTLE_ENDIAN);
            long meta = x.getLong(XdpBuff.DATA_META), end = x.getLong(XdpBuff.DATA_END);
            byte[] out = m.read((int) meta, (int) (end - meta));
            return new DeviceRun(result & 0xffffffffL, out, h.cycles(), wall);
        } finally {
            device.release(core);
        }
    }

    /**
     * Runs the program with {@code memory} as its context, as the conformance suite does:
     * r1 = the device address of a copy of it (in the core's frame), r2 = its length, both 0
     * when it is empty. Answers the whole 64-bit r0.
     */
    @Override
    public long runWithMemory(byte[] memory) throws BpfException {
        check();
        if (memory != null && memory.length > Layout.FRAME_SIZE) {
            throw new BpfException(Errno.E2BIG, "memory of " + memory.length + " bytes; the core's frame holds " + Layout.FRAME_SIZE);
        }
        RfpcDevice.Core core = device.acquire();
        try {
            core.clearWindow();
            int at = Layout.WINDOW + Layout.FRAME;
            boolean some = memory != null && memory.length > 0;
            if (some) core.hart().memory().write(at, memory);
            return call(core, some ? at : 0, some ? memory.length : 0);
        } finally {
            device.release(core);
        }
    }

    /** One call of the entry on {@code core}; answers r0. */
    private long call(RfpcDevice.Core core, int r1, int r2) throws BpfException {
        Hart h = core.hart();
        int rctx = Layout.WINDOW + Layout.RUN_CONTEXT;
        h.memory().write(rctx + HostAbi.STACK_TOP, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(Layout.WINDOW + Layout.BPF_STACK_TOP).array());
        h.reset();
        h.setReg(1, Layout.EXIT);
        h.setReg(2, Layout.WINDOW + device.config().windowBytes());
        h.setReg(10, r1);
        h.setReg(11, r2);
        h.setReg(12, rctx);
        h.setPc(entry);
        try {
            if (h.run(BUDGET) == Hart.Stop.BUDGET) {
                throw new BpfException(Errno.EFAULT, device.name() + ": program " + name + " did not return within "
                        + BUDGET + " instructions (core " + h.id() + ", pc 0x" + Integer.toHexString(h.pc()) + ")");
            }
        } catch (SimFault f) {
            throw new BpfException(Errno.EFAULT, device.name() + ": program " + name + " faulted on core " + h.id() + ": " + f.getMessage());
        }
        ByteBuffer rc = ByteBuffer.wrap(h.memory().read(rctx, HostAbi.REGIONS)).order(ByteOrder.LITTLE_ENDIAN);
        int err = rc.getInt(HostAbi.ERROR);
        if (err != 0) {
            String errno = "errno " + err;
            for (Errno e : Errno.values()) if (e.value() == err) errno = e.name();
            throw new BpfException(Errno.EFAULT, device.name() + ": program " + name + " ended with " + errno + " at insn "
                    + rc.getInt(HostAbi.ERROR_INSN) + (rc.getLong(HostAbi.ERROR_ADDRESS) != 0
                    ? String.format(" (access to 0x%x)", rc.getLong(HostAbi.ERROR_ADDRESS)) : ""));
        }
        return Integer.toUnsignedLong(h.reg(10)) | (long) h.reg(11) << 32;
    }

    private void check() throws BpfException {
        if (closed) throw new BpfException(Errno.ENOENT, device.name() + ": program " + name + " was unloaded");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        device.unload(this);
    }

    @Override
    public String toString() {
        return "program " + name + " at 0x" + Long.toHexString(loadAddress) + " (" + size + " bytes) on " + device.name();
    }
}
