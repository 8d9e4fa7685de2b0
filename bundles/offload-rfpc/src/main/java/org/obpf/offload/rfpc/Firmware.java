package org.obpf.offload.rfpc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.obpf.api.Errno;
import org.obpf.api.offload.FirmwareAtomics;
import org.obpf.offload.rfpc.sim.AddressSpace;
import org.obpf.offload.rfpc.sim.Hart;
import org.obpf.offload.rfpc.sim.SimFault;
import org.obpf.offload.rfpc.sim.Trap;

/**
 * The RFPC's firmware: helper routines at fixed device addresses ({@link Layout#helperAddress}),
 * written in Java, entered when a core jumps there. They follow the ilp32 calling convention of
 * a C function {@code u64 helper(u64, u64, u64, u64, u64)}, as the kernel's RV32 JIT calls
 * helpers: arguments 1-4 in a0:a1, a2:a3, a4:a5, a6:a7 (low word first), the fifth on the stack
 * at sp, the result in a0:a1; the routine returns to ra. {@link Layout#EXIT} ends the run. The
 * atomic routines ({@link FirmwareAtomics}, from {@link Layout#ATOMICS}) have their own register
 * convention and do the read-modify-write under one lock for all cores.
 */
final class Firmware implements Trap {
    static final int MAP_LOOKUP_ELEM = 1, MAP_UPDATE_ELEM = 2, MAP_DELETE_ELEM = 3, KTIME_GET_NS = 5,
            TRACE_PRINTK = 6, GET_PRANDOM_U32 = 7, GET_SMP_PROCESSOR_ID = 8, XDP_ADJUST_HEAD = 44,
            XDP_ADJUST_META = 54, XDP_ADJUST_TAIL = 65;

    /** Helper id to kernel name: every routine the firmware has. */
    static final Map<Integer, String> HELPERS = new TreeMap<>(Map.of(
            MAP_LOOKUP_ELEM, "map_lookup_elem", MAP_UPDATE_ELEM, "map_update_elem", MAP_DELETE_ELEM, "map_delete_elem",
            KTIME_GET_NS, "ktime_get_ns", TRACE_PRINTK, "trace_printk", GET_PRANDOM_U32, "get_prandom_u32",
            GET_SMP_PROCESSOR_ID, "get_smp_processor_id", XDP_ADJUST_HEAD, "xdp_adjust_head",
            XDP_ADJUST_META, "xdp_adjust_meta", XDP_ADJUST_TAIL, "xdp_adjust_tail"));

    /** Cycles a firmware routine costs: a call, plus one per byte it copies or hashes. */
    static final int CALL_CYCLES = 30;

    static final int ETH_HLEN = 14, XDP_FRAME_SIZE = 40, SKB_SHARED_INFO_SIZE = 320;

    private final RfpcDevice device;
    private long prandom = 0x2545f4914f6cdd1dL;

    Firmware(RfpcDevice device) {
        this.device = device;
    }

    @Override
    public long fetchOutside(Hart h, int address) {
        int off = address - Layout.FIRMWARE;
        if (off < 0 || off >= Layout.FIRMWARE_SIZE || (off & 15) != 0) {
            throw new SimFault(address, "jump outside code memory and firmware of " + device.name());
        }
        if (address == Layout.EXIT) return STOP;
        if (address >= Layout.ATOMICS) {
            atomic(h, (address - Layout.ATOMICS) / 16, address);
            return Integer.toUnsignedLong(h.reg(1));
        }
        int id = off / 16;
        long r = call(h, id, address);
        h.setReg(10, (int) r);
        h.setReg(11, (int) (r >>> 32));
        return Integer.toUnsignedLong(h.reg(1));
    }

    @Override
    public long ecall(Hart h, int pc) {
        throw new SimFault(pc, "ecall: the RFPC firmware has no system calls");
    }

    static long arg(Hart h, int n) {
        if (n <= 4) {
            int lo = h.reg(10 + 2 * (n - 1)), hi = h.reg(11 + 2 * (n - 1));
            return Integer.toUnsignedLong(lo) | (long) hi << 32;
        }
        return ByteBuffer.wrap(h.memory().read(h.reg(2), 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private long call(Hart h, int id, int address) {
        h.addCycles(CALL_CYCLES);
        return switch (id) {
            case MAP_LOOKUP_ELEM -> {
                RfpcMap m = map(h, arg(h, 1), address);
                byte[] key = read(h, arg(h, 2), m.spec().keySize(), address);
                h.addCycles(key.length);
                synchronized (m) {
                    int v = m.find(key);
                    yield v < 0 ? 0 : m.addressOf(v);
                }
            }
            case MAP_UPDATE_ELEM -> {
                RfpcMap m = map(h, arg(h, 1), address);
                byte[] key = read(h, arg(h, 2), m.spec().keySize(), address);
                byte[] value = read(h, arg(h, 3), m.spec().valueSize(), address);
                h.addCycles(key.length + value.length);
                synchronized (m) {
                    yield m.put(key, value, arg(h, 4));
                }
            }
            case MAP_DELETE_ELEM -> {
                RfpcMap m = map(h, arg(h, 1), address);
                byte[] key = read(h, arg(h, 2), m.spec().keySize(), address);
                h.addCycles(key.length);
                synchronized (m) {
                    yield m.remove(key);
                }
            }
            case KTIME_GET_NS -> System.nanoTime();
            case GET_PRANDOM_U32 -> nextRandom();
            case GET_SMP_PROCESSOR_ID -> h.id();
            case TRACE_PRINTK -> tracePrintk(h, address);
            case XDP_ADJUST_HEAD -> adjustHead(h, arg(h, 1), (int) arg(h, 2));
            case XDP_ADJUST_META -> adjustMeta(h, arg(h, 1), (int) arg(h, 2));
            case XDP_ADJUST_TAIL -> adjustTail(h, arg(h, 1), (int) arg(h, 2));
            default -> throw new SimFault(address, "helper " + id + " has no firmware routine on " + device.name());
        };
    }

    // ---- atomic routines (FirmwareAtomics): the read-modify-write as one memory command ----

    static final int T0 = 5, T2 = 7, T3 = 28, T4 = 29, T5 = 30;
    /** Cycles of an atomic memory command: the call, a DRAM read and a write. */
    static final int ATOMIC_CYCLES = 10 + 2 * Layout.DRAM_PENALTY;

    /** Serialises the atomic routines of all cores, as one memory engine would. */
    private final Object atomics = new Object();

    private void atomic(Hart h, int index, int address) {
        if (index >= FirmwareAtomics.SYMBOLS.size()) {
            throw new SimFault(address, String.format("no firmware routine at 0x%x on %s", address, device.name()));
        }
        boolean wide = index >= 6;
        int op = index % 6;
        int at = h.reg(T0);
        int n = wide ? 8 : 4;
        long operand = Integer.toUnsignedLong(h.reg(T2)) | (wide ? (long) h.reg(T3) << 32 : 0);
        long expected = Integer.toUnsignedLong(h.reg(T4)) | (wide ? (long) h.reg(T5) << 32 : 0);
        h.addCycles(ATOMIC_CYCLES);
        long old;
        synchronized (atomics) {
            ByteBuffer cur;
            try {
                cur = ByteBuffer.wrap(h.memory().read(at, n)).order(ByteOrder.LITTLE_ENDIAN);
            } catch (SimFault e) {
                throw new SimFault(address, String.format("%s: %d bytes at 0x%x are not device memory",
                        FirmwareAtomics.SYMBOLS.get(index), n, at));
            }
            old = wide ? cur.getLong(0) : Integer.toUnsignedLong(cur.getInt(0));
            long v = switch (op) {
                case 0 -> old + operand;
                case 1 -> old | operand;
                case 2 -> old & operand;
                case 3 -> old ^ operand;
                case 4 -> operand;
                default -> old == expected ? operand : old;
            };
            if (op != 5 || old == expected) {
                ByteBuffer out = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
                if (wide) out.putLong(v);
                else out.putInt((int) v);
                h.memory().write(at, out.array());
            }
        }
        h.setReg(T2, (int) old);
        h.setReg(T3, (int) (old >>> 32));
    }

    private synchronized long nextRandom() {
        long x = prandom;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        prandom = x;
        return x & 0xffffffffL;
    }

    private RfpcMap map(Hart h, long ptr, int address) {
        RfpcMap m = device.mapAt(ptr);
        if (m == null) throw new SimFault(address, String.format("0x%x is not a map on %s", ptr, device.name()));
        return m;
    }

    private static byte[] read(Hart h, long ptr, int n, int address) {
        try {
            return h.memory().read((int) ptr, n);
        } catch (SimFault e) {
            throw new SimFault(address, String.format("helper argument: %d bytes at 0x%x are not device memory", n, ptr));
        }
    }

    // ---- XDP frame helpers, as core's PacketHelpers on struct xdp_buff ----

    private static long get64(AddressSpace m, long ctx, int off) {
        return ByteBuffer.wrap(m.read((int) ctx + off, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static void set64(AddressSpace m, long ctx, int off, long v) {
        m.write((int) ctx + off, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    private static long adjustHead(Hart h, long ctx, int offset) {
        AddressSpace m = h.memory();
        long data = get64(m, ctx, XdpBuff.DATA), meta = get64(m, ctx, XdpBuff.DATA_META), end = get64(m, ctx, XdpBuff.DATA_END);
        long hard = get64(m, ctx, XdpBuff.DATA_HARD_START);
        long metalen = data - meta;
        long newData = data + offset;
        if (newData < hard + XDP_FRAME_SIZE + metalen || newData > end - ETH_HLEN) return -Errno.EINVAL.value();
        if (metalen != 0) m.write((int) (meta + offset), m.read((int) meta, (int) metalen));
        set64(m, ctx, XdpBuff.DATA_META, meta + offset);
        set64(m, ctx, XdpBuff.DATA, newData);
        return 0;
    }

    private static long adjustMeta(Hart h, long ctx, int offset) {
        AddressSpace m = h.memory();
        long data = get64(m, ctx, XdpBuff.DATA), hard = get64(m, ctx, XdpBuff.DATA_HARD_START);
        long meta = get64(m, ctx, XdpBuff.DATA_META) + offset;
        long metalen = data - meta;
        if (meta < hard + XDP_FRAME_SIZE || meta > data) return -Errno.EINVAL.value();
        if ((metalen & 3) != 0 || metalen > 32) return -Errno.EACCES.value();
        set64(m, ctx, XdpBuff.DATA_META, meta);
        return 0;
    }

    private static long adjustTail(Hart h, long ctx, int offset) {
        AddressSpace m = h.memory();
        long data = get64(m, ctx, XdpBuff.DATA), end = get64(m, ctx, XdpBuff.DATA_END), hard = get64(m, ctx, XdpBuff.DATA_HARD_START);
        int frameSz = ByteBuffer.wrap(m.read((int) ctx + XdpBuff.FRAME_SZ, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
        long newEnd = end + offset;
        if (newEnd > hard + frameSz - SKB_SHARED_INFO_SIZE || newEnd < data + ETH_HLEN) return -Errno.EINVAL.value();
        if (offset > 0) m.write((int) end, new byte[offset]);
        set64(m, ctx, XdpBuff.DATA_END, newEnd);
        return 0;
    }

    // ---- bpf_trace_printk ----

    private long tracePrintk(Hart h, int address) {
        long fmtPtr = arg(h, 1);
        int fmtSize = (int) arg(h, 2);
        if (fmtSize <= 0 || fmtSize > 512) return -Errno.EINVAL.value();
        byte[] raw = read(h, fmtPtr, fmtSize, address);
        int len = 0;
        while (len < raw.length && raw[len] != 0) len++;
        if (len == raw.length) return -Errno.EINVAL.value(); // the kernel wants the format NUL-terminated
        String fmt = new String(raw, 0, len, StandardCharsets.ISO_8859_1);
        StringBuilder out = new StringBuilder();
        int argNo = 3;
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            int j = i + 1;
            if (j < fmt.length() && fmt.charAt(j) == '%') {
                out.append('%');
                i = j;
                continue;
            }
            int longs = 0;
            while (j < fmt.length() && fmt.charAt(j) == 'l') { longs++; j++; }
            if (j >= fmt.length() || argNo > 5) return -Errno.EINVAL.value();
            char conv = fmt.charAt(j);
            long v = arg(h, argNo++);
            if (longs == 0 && conv != 's' && conv != 'p') v = conv == 'd' || conv == 'i' ? (int) v : v & 0xffffffffL;
            switch (conv) {
                case 'd', 'i' -> out.append(v);
                case 'u' -> out.append(Long.toUnsignedString(v));
                case 'x' -> out.append(Long.toHexString(v));
                case 'p' -> out.append("0x").append(Long.toHexString(v));
                case 'c' -> out.append((char) (v & 0xff));
                case 's' -> out.append(cString(h, v));
                default -> { return -Errno.EINVAL.value(); }
            }
            i = j;
        }
        device.trace(h.id(), out.toString());
        h.addCycles(out.length());
        return out.length();
    }

    private static String cString(Hart h, long ptr) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 256; i++) {
            byte b = h.memory().read((int) ptr + i, 1)[0];
            if (b == 0) break;
            s.append((char) (b & 0xff));
        }
        return s.toString();
    }

    /** {@code struct xdp_buff} as OBPF's core lays it out (core's KernelCtx.XdpBuff), with device addresses. */
    static final class XdpBuff {
        private XdpBuff() {}
        static final int DATA = 0, DATA_END = 8, DATA_META = 16, DATA_HARD_START = 24, INGRESS_IFINDEX = 32,
                RX_QUEUE_INDEX = 36, EGRESS_IFINDEX = 40, FRAME_SZ = 44, SIZE = 48;
    }
}
