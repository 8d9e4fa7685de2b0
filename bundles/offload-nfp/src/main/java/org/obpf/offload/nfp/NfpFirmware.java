package org.obpf.offload.nfp;

import java.util.Set;
import org.obpf.api.Errno;
import org.obpf.offload.nfp.sim.Firmware;
import org.obpf.offload.nfp.sim.Microengine;

/**
 * The NFP firmware's routines for BPF, at the top of the code store: the next-packet entry
 * (the program is done; the action code is in A0) and the helpers jit-nfp branches to. Calling
 * convention (jit-nfp's {@code map_call_stack_common} and {@code perf_event_output}): the map's
 * table id in A0, the key on the stack at {@code ACT_LM_ADDR0} (the value at
 * {@code ACT_LM_ADDR2}), flags in r4 (GPR 8/9), the return word in B0; r0 comes back in GPRs 0
 * and 1 of both banks. Lookups answer the value's 40-bit DRAM address or 0, updates and deletes
 * 0 or a negative errno.
 */
final class NfpFirmware implements Firmware {
    static final int MAP_LOOKUP = 1, MAP_UPDATE = 2, MAP_DELETE = 3, PERF_EVENT_OUTPUT = 25;
    /** Routines provided (get_prandom_u32 and xdp_adjust_head/tail are inline: a CSR and packet-vector arithmetic). */
    static final Set<Integer> HELPERS = Set.of(MAP_LOOKUP, MAP_UPDATE, MAP_DELETE, PERF_EVENT_OUTPUT);
    static final int NFP_BPF_MAP_VALUE = 4, NFP_BPF_STACK = 6, NFP_BPF_PACKET_DATA = 8;

    private final NfpDevice device;
    NfpFirmware(NfpDevice device) {
        this.device = device;
    }

    @Override
    public boolean owns(int word) {
        return word >= NfpDevice.FW_WORD && word < Microengine.CODE_WORDS;
    }

    @Override
    public int cycles(int word) {
        return word == NfpDevice.NEXT_PACKET_WORD ? 0 : 200;
    }

    @Override
    public int call(int word, Microengine me) {
        if (word == NfpDevice.NEXT_PACKET_WORD) return -1;
        int helper = word - NfpDevice.FW_WORD;
        int ret = me.b(0) & 0xffff;
        long r0;
        switch (helper) {
            case MAP_LOOKUP, MAP_UPDATE, MAP_DELETE -> {
                NfpMap m = device.map(me.a(0));
                if (m == null || m.closed()) throw new org.obpf.offload.nfp.sim.SimFault("map helper " + helper + " with table id " + me.a(0) + ", which is no map on " + device.name());
                byte[] key = lmBytes(me, me.lmAddr(0), m.spec().keySize());
                r0 = switch (helper) {
                    case MAP_LOOKUP -> {
                        long at = m.find(key);
                        yield at < 0 ? 0 : at;
                    }
                    case MAP_UPDATE -> -m.put(key, lmBytes(me, me.lmAddr(2), m.spec().valueSize()), (long) me.a(8) & 0xffffffffL | (long) me.a(9) << 32);
                    default -> -m.remove(key);
                };
            }
            case PERF_EVENT_OUTPUT -> r0 = perfEventOutput(me);
            default -> throw new org.obpf.offload.nfp.sim.SimFault("no firmware routine at code-store word " + word);
        }
        me.setBoth(0, (int) r0);
        me.setBoth(1, (int) (r0 >>> 32));
        return ret;
    }

    /** r2 (A4) the perf event array's table id, r4 (GPR 8/9) the data, r5 (A10) its size, A1 the data's pointer kind. */
    private long perfEventOutput(Microengine me) {
        if (!(device.map(me.a(4)) instanceof NfpMap.PerfEvents out)) return -Errno.EINVAL.value();
        int len = me.a(10);
        if (len < 0 || len > 4096) return -Errno.E2BIG.value();
        int type = me.a(1);
        long addr = me.a(8) & 0xffffffffL | ((long) me.a(9) & 0xff) << 32;
        byte[] data = new byte[len];
        switch (type) {
            case NFP_BPF_STACK -> data = lmBytes(me, (int) addr, len);
            case NFP_BPF_MAP_VALUE -> {
                long off = addr - NfpDevice.DRAM_BASE;
                if (off < 0 || off + len > device.dram.length) return -Errno.EFAULT.value();
                System.arraycopy(device.dram, (int) off, data, 0, len);
            }
            case NFP_BPF_PACKET_DATA -> {
                long off = (addr & 0xffffffffL) - NfpDevice.CTM_BASE;
                if (off < 0 || off + len > device.ctm.length) return -Errno.EFAULT.value();
                System.arraycopy(device.ctm, (int) off, data, 0, len);
            }
            default -> { return -Errno.EINVAL.value(); }
        }
        out.add(data);
        return 0;
    }

    private static byte[] lmBytes(Microengine me, int addr, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) b[i] = (byte) me.lmByte(addr + i);
        return b;
    }
}
