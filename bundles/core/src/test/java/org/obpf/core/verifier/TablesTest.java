package org.obpf.core.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;

/** The rule tables on their own: context access per program type, helpers per type, map types per helper. */
class TablesTest {

    /** Every (offset, size, direction) of struct xdp_md the verifier lets through. */
    @Test
    void xdpMdIsFiveReadOnlyWords() {
        List<String> ok = new ArrayList<>();
        for (int off = -8; off < 40; off++) {
            for (int size : new int[] {1, 2, 4, 8}) {
                for (boolean write : new boolean[] {false, true}) {
                    CtxAccess a = CtxAccess.check(ProgramType.XDP, off, size, write, 0);
                    if (a != null) ok.add(a.field() + "/" + off + "/" + size + (write ? "w" : "r") + "/" + a.type());
                }
            }
        }
        assertEquals(List.of("data/0/4r/PTR_TO_PACKET", "data_end/4/4r/PTR_TO_PACKET_END", "data_meta/8/4r/PTR_TO_PACKET_META",
                "ingress_ifindex/12/4r/SCALAR_VALUE", "rx_queue_index/16/4r/SCALAR_VALUE"), ok);
    }

    @Test
    void skBuffRulesDifferByProgramType() {
        // data and data_end: tc and cgroup_skb, not socket filters
        assertEquals(RegType.PTR_TO_PACKET, CtxAccess.check(ProgramType.SCHED_CLS, 76, 4, false, 0).type());
        assertEquals(RegType.PTR_TO_PACKET_END, CtxAccess.check(ProgramType.CGROUP_SKB, 80, 4, false, 0).type());
        assertNull(CtxAccess.check(ProgramType.SOCKET_FILTER, 76, 4, false, 0));
        // narrow reads of u32 fields; cb[] writable everywhere, mark only by tc and cgroup_skb
        assertEquals("len", CtxAccess.check(ProgramType.SOCKET_FILTER, 0, 1, false, 0).field());
        assertNull(CtxAccess.check(ProgramType.SOCKET_FILTER, 1, 2, false, 0));
        assertNotNull(CtxAccess.check(ProgramType.SOCKET_FILTER, 48, 4, true, 0));
        assertNull(CtxAccess.check(ProgramType.SOCKET_FILTER, 8, 4, true, 0));
        assertNotNull(CtxAccess.check(ProgramType.SCHED_CLS, 8, 4, true, 0));
        assertNull(CtxAccess.check(ProgramType.SCHED_CLS, 0, 4, true, 0));
        // cb[4] ends at 68; tstamp is 8 bytes; flow_keys and sk are not readable; the padding is not either
        assertNull(CtxAccess.check(ProgramType.SCHED_CLS, 64, 8, false, 0));
        assertNotNull(CtxAccess.check(ProgramType.SCHED_CLS, 152, 8, false, 0));
        assertNull(CtxAccess.check(ProgramType.SCHED_CLS, 152, 4, false, 0));
        assertNull(CtxAccess.check(ProgramType.SCHED_CLS, 144, 8, false, 0));
        assertNull(CtxAccess.check(ProgramType.SCHED_CLS, 168, 8, false, 0));
        assertNull(CtxAccess.check(ProgramType.SCHED_CLS, 181, 1, false, 0));
        assertNull(CtxAccess.check(ProgramType.SCHED_CLS, 192, 4, false, 0));
    }

    @Test
    void tracingContextsAreReadOnly() {
        assertNotNull(CtxAccess.check(ProgramType.KPROBE, 160, 8, false, 0));
        assertNull(CtxAccess.check(ProgramType.KPROBE, 168, 8, false, 0));
        assertNull(CtxAccess.check(ProgramType.KPROBE, 0, 8, true, 0));
        assertNotNull(CtxAccess.check(ProgramType.RAW_TRACEPOINT, 88, 8, false, 0));
        assertNull(CtxAccess.check(ProgramType.RAW_TRACEPOINT, 96, 8, false, 0));
        assertNotNull(CtxAccess.check(ProgramType.SYSCALL, 16, 8, true, 0));
    }

    @Test
    void returnRanges() {
        assertNull(CtxAccess.returnRange(ProgramType.XDP));
        assertNull(CtxAccess.returnRange(ProgramType.SOCKET_FILTER));
        assertEquals(1, CtxAccess.returnRange(ProgramType.CGROUP_SKB)[1]);
        assertEquals(1, CtxAccess.returnRange(ProgramType.SK_LOOKUP)[1]);
    }

    @Test
    void helpersPerProgramType() {
        int[] base = {HelperProto.MAP_LOOKUP_ELEM, HelperProto.RINGBUF_RESERVE, HelperProto.LOOP, HelperProto.TAIL_CALL,
                HelperProto.KTIME_GET_NS, HelperProto.SNPRINTF};
        for (ProgramType t : ProgramType.values()) {
            for (int id : base) assertNotNull(HelperProto.forProgram(t, id), t + " " + id);
        }
        assertNotNull(HelperProto.forProgram(ProgramType.XDP, HelperProto.XDP_ADJUST_HEAD));
        assertNull(HelperProto.forProgram(ProgramType.SCHED_CLS, HelperProto.XDP_ADJUST_HEAD));
        assertNotNull(HelperProto.forProgram(ProgramType.SCHED_CLS, HelperProto.SKB_STORE_BYTES));
        assertNull(HelperProto.forProgram(ProgramType.SOCKET_FILTER, HelperProto.SKB_STORE_BYTES));
        assertNotNull(HelperProto.forProgram(ProgramType.SOCKET_FILTER, HelperProto.SKB_LOAD_BYTES));
        assertNull(HelperProto.forProgram(ProgramType.XDP, HelperProto.SKB_LOAD_BYTES));
        assertNotNull(HelperProto.forProgram(ProgramType.KPROBE, HelperProto.GET_CURRENT_PID_TGID));
        // every program type may ask for the current task's ids since Linux 6.10; tracing may not read the coarse clock
        assertNotNull(HelperProto.forProgram(ProgramType.XDP, HelperProto.GET_CURRENT_PID_TGID));
        assertNull(HelperProto.forProgram(ProgramType.XDP, HelperProto.PROBE_READ));
        assertNull(HelperProto.forProgram(ProgramType.KPROBE, HelperProto.KTIME_GET_COARSE_NS));
        assertNotNull(HelperProto.forProgram(ProgramType.XDP, HelperProto.KTIME_GET_COARSE_NS));
        assertNull(HelperProto.forProgram(ProgramType.XDP, 9999));
        assertEquals("bpf_map_lookup_elem", HelperProto.name(1));
        assertEquals(HelperProto.Ret.PTR_TO_MAP_VALUE_OR_NULL, HelperProto.forProgram(ProgramType.XDP, 1).ret());
    }

    @Test
    void mapTypesPerHelper() {
        assertTrue(HelperProto.mapCompatible(HelperProto.MAP_LOOKUP_ELEM, MapType.HASH));
        assertFalse(HelperProto.mapCompatible(HelperProto.MAP_LOOKUP_ELEM, MapType.RINGBUF));
        assertFalse(HelperProto.mapCompatible(HelperProto.MAP_LOOKUP_ELEM, MapType.PROG_ARRAY));
        assertFalse(HelperProto.mapCompatible(HelperProto.MAP_LOOKUP_ELEM, MapType.QUEUE));
        assertTrue(HelperProto.mapCompatible(HelperProto.MAP_LOOKUP_ELEM, MapType.DEVMAP));
        assertTrue(HelperProto.mapCompatible(HelperProto.MAP_POP_ELEM, MapType.STACK));
        assertFalse(HelperProto.mapCompatible(HelperProto.MAP_POP_ELEM, MapType.ARRAY));
        assertTrue(HelperProto.mapCompatible(HelperProto.REDIRECT_MAP, MapType.CPUMAP));
        assertFalse(HelperProto.mapCompatible(HelperProto.REDIRECT_MAP, MapType.HASH));
        assertTrue(HelperProto.mapCompatible(HelperProto.TAIL_CALL, MapType.PROG_ARRAY));
        assertFalse(HelperProto.mapCompatible(HelperProto.FOR_EACH_MAP_ELEM, MapType.RINGBUF));
    }
}
