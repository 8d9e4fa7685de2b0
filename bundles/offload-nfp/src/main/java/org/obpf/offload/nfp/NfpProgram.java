package org.obpf.offload.nfp;

import java.util.Arrays;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.offload.DeviceProgram;
import org.obpf.api.prog.ProgramType;
import org.obpf.offload.nfp.sim.Microengine;
import org.obpf.offload.nfp.sim.SimFault;

/**
 * A program in the NFP's code store. A run puts the packet in the CTM buffer, sets up the packet
 * vector (length, packet pointer) and the LM index registers the firmware gives a program (0 at
 * the stack, 1 at the packet vector, A22 the stack base), and enters at the program's first
 * word; the program ends by branching to the firmware's next-packet entry with its action code
 * in A0 (bits 16..23: low nibble 1 pass, 2 drop, 4 redirect/tx).
 */
public final class NfpProgram implements DeviceProgram {
    /** Instructions one run may take before the device gives up on it. */
    public static final long LIMIT = 10_000_000;
    static final int ETH_HLEN = 14;

    private final NfpDevice device;
    private final String name;
    private final ProgramType type;
    final int word, words;
    private final int exitWord;
    private volatile boolean closed;
    private int lastAction;
    private long lastInstructions;

    NfpProgram(NfpDevice device, String name, ProgramType type, int word, int words, int exitWord) {
        this.device = device;
        this.name = name;
        this.type = type;
        this.word = word;
        this.words = words;
        this.exitWord = exitWord;
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
        return 8L * word;
    }

    @Override
    public int size() {
        return 8 * words;
    }

    /** The firmware action code of the last run (A0 bits 16..23). */
    public int lastAction() {
        return lastAction;
    }

    /** Microengine instructions of the last run. */
    public long lastInstructions() {
        return lastInstructions;
    }

    @Override
    public DeviceRun testRun(byte[] packet, int repeat) throws BpfException {
        if (packet == null || packet.length < ETH_HLEN || packet.length > NfpDevice.MAX_PACKET) {
            throw new BpfException(Errno.EINVAL, device.name() + ": packet of " + (packet == null ? 0 : packet.length)
                    + " bytes; test_run takes " + ETH_HLEN + ".." + NfpDevice.MAX_PACKET + " (an Ethernet header, the CTM buffer)");
        }
        if (repeat < 1) repeat = 1;
        long r0 = 0, cycles = 0;
        byte[] out = null;
        long start = System.nanoTime();
        synchronized (device) {
            for (int i = 0; i < repeat; i++) {
                r0 = runOnce(packet);
                cycles = device.me.cycles();
                out = packetOut();
            }
        }
        long took = (System.nanoTime() - start) / repeat;
        return new DeviceRun(r0, out, cycles, took);
    }

    /**
     * Conformance runs: the NFP's context is a packet (struct xdp_md), so a program gets no test
     * memory; one without memory runs on an empty packet with r1 = r2 = 0.
     */
    @Override
    public long runWithMemory(byte[] memory) throws BpfException {
        if (memory != null && memory.length > 0) {
            throw new BpfException(Errno.EOPNOTSUPP, device.name() + ": the NFP's program context is a packet (struct xdp_md); it cannot hand a program "
                    + memory.length + " bytes of test memory in r1");
        }
        synchronized (device) {
            return runOnce(new byte[0]);
        }
    }

    private long runOnce(byte[] packet) throws BpfException {
        if (closed) throw new BpfException(Errno.EBADF, device.name() + ": program " + name + " was unloaded");
        Microengine me = device.me;
        me.reset();
        byte[] ctm = device.ctm;
        Arrays.fill(ctm, (byte) 0);
        System.arraycopy(packet, 0, ctm, NfpDevice.HEADROOM, packet.length);
        me.setLmWord(NfpDevice.LM_PKT_VEC + NfpDevice.PV_LEN, packet.length);
        me.setLmWord(NfpDevice.LM_PKT_VEC + NfpDevice.PV_PTR, NfpDevice.CTM_BASE + NfpDevice.HEADROOM);
        me.setLmAddr(0, NfpDevice.LM_STACK);
        me.setLmAddr(1, NfpDevice.LM_PKT_VEC);
        me.setA(22, NfpDevice.LM_STACK);
        me.watch(exitWord);
        try {
            me.run(word, LIMIT);
        } catch (SimFault e) {
            throw new BpfException(Errno.EFAULT, device.name() + ": " + name + ": " + e.getMessage(), e);
        }
        lastAction = me.a(0) >>> 16 & 0xff;
        lastInstructions = me.instructions();
        // r0 stays in B0/B1 through the outro; an abort from the body (a failed legacy packet load) returns 0
        return me.watched() ? (me.b(0) & 0xffffffffL | (long) me.b(1) << 32) : 0;
    }

    private byte[] packetOut() {
        Microengine me = device.me;
        int len = me.lmWord(NfpDevice.LM_PKT_VEC + NfpDevice.PV_LEN) & 0x3fff;
        int off = me.lmWord(NfpDevice.LM_PKT_VEC + NfpDevice.PV_PTR) - NfpDevice.CTM_BASE;
        if (off < 0 || off + len > device.ctm.length) return new byte[0];
        return Arrays.copyOfRange(device.ctm, off, off + len);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        device.unload(this);
    }

    @Override
    public String toString() {
        return name + " at code-store word " + word + " (" + words + " words) on " + device.name();
    }
}
