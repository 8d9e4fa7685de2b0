package org.obpf.core.helper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.helper.Helper;
import org.obpf.api.helper.HelperContext;
import org.obpf.api.prog.ProgramType;
import org.osgi.framework.Constants;

class HelperRegistryTest {
    /** A contributed helper that answers a constant. */
    record Answer(int id, String name, long value) implements Helper {
        @Override
        public long call(HelperContext context, long r1, long r2, long r3, long r4, long r5) {
            return value;
        }
    }

    private static Map<String, Object> props(long serviceId, Object id) {
        return id == null ? Map.of(Constants.SERVICE_ID, serviceId) : Map.of(Constants.SERVICE_ID, serviceId, Helper.ID, id);
    }

    private final HelperRegistry registry = new HelperRegistry();

    @Test
    void contributedHelpersJoinTheTableAndLeaveIt() throws BpfException {
        Answer mine = new Answer(300, "my_research_helper", 42);
        BpfException missing = assertThrows(BpfException.class, () -> registry.table(ProgramType.XDP).require(300));
        assertEquals(Errno.EINVAL, missing.errno());
        registry.addHelper(mine, props(7, 300));
        assertSame(mine, registry.table(ProgramType.XDP).require(300));
        assertEquals(List.of(mine), registry.contributed());
        registry.removeHelper(mine, props(7, 300));
        assertThrows(BpfException.class, () -> registry.table(ProgramType.XDP).require(300));
    }

    @Test
    void aContributionNeverReplacesABuiltIn() throws BpfException {
        registry.addHelper(new Answer(1, "fake_lookup", 0), props(8, 1));
        Helper h = registry.table(ProgramType.XDP).require(1);
        assertEquals("map_lookup_elem", h.name());
        assertTrue(!(h instanceof Answer), "the built-in bpf_map_lookup_elem stays");
    }

    @Test
    void theIdPropertyMustBeTheHelpersNumber() {
        registry.addHelper(new Answer(301, "a", 1), props(9, null));
        registry.addHelper(new Answer(302, "b", 1), props(10, 303));
        registry.addHelper(new Answer(304, "c", 1), props(11, "304"));
        assertTrue(registry.contributed().isEmpty());
    }

    @Test
    void olderContributionWinsForTheSameNumber() throws BpfException {
        Answer first = new Answer(310, "first", 1);
        Answer second = new Answer(310, "second", 2);
        registry.addHelper(second, props(21, 310));
        registry.addHelper(first, props(20, 310));
        assertSame(first, registry.table(ProgramType.SCHED_CLS).require(310));
        registry.removeHelper(first, props(20, 310));
        assertSame(second, registry.table(ProgramType.SCHED_CLS).require(310));
    }
}
