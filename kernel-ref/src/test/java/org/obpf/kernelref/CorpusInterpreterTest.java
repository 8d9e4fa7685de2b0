package org.obpf.kernelref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.obpf.api.map.MapType;
import org.obpf.api.obj.BpfObject;
import org.obpf.api.obj.ProgramSpec;
import org.obpf.api.prog.ProgramType;
import org.obpf.kernelref.CorpusCases.Case;
import org.obpf.kernelref.CorpusCases.Run;
import org.obpf.kernelref.CorpusHarness.Out;
import org.obpf.kernelref.CorpusHarness.Side;

/**
 * Every XDP, tc and socket-filter program of the corpus on OBPF's interpreter ({@code TestRunner}),
 * with the results its .c file documents: return value, output packet, context fields, map
 * contents after the run. The table is {@link CorpusCases#all()}.
 */
class CorpusInterpreterTest {

    static Stream<Case> cases() {
        return CorpusCases.all().stream();
    }

    /** Runs {@code c}'s steps on {@code side}, answering each run's output. */
    static List<Out> execute(Side side, Case c) throws Exception {
        List<Out> outs = new ArrayList<>();
        for (CorpusCases.Step s : c.steps) {
            switch (s) {
                case CorpusCases.Update u -> side.update(u.map(), u.key(), u.value());
                case CorpusCases.SetProg p -> side.setProg(p.map(), p.slot(), p.prog());
                case Run r -> {
                    if (r.refused() != null) {
                        String errno;
                        try {
                            side.run(r.prog(), r.data(), r.ctx());
                            throw new AssertionError(c.name + " " + r.prog() + " [" + r.label() + "]: " + side.getClass().getSimpleName()
                                    + " ran it, expected test_run to refuse it with " + r.refused());
                        } catch (KernelBpfException e) {
                            errno = e.errnoName();
                        } catch (org.obpf.api.BpfException e) {
                            errno = e.errno() == null ? String.valueOf(e.errno()) : e.errno().name();
                        }
                        if (!r.refused().equals(errno)) {
                            throw new AssertionError(c.name + " " + r.prog() + ": refused with " + errno + ", expected " + r.refused());
                        }
                        outs.add(null);
                    } else {
                        outs.add(side.run(r.prog(), r.data(), r.ctx()));
                    }
                }
            }
        }
        return outs;
    }

    /** The packet a run gives back: the input, with the Ethernet header zeroed for socket filters (the kernel pushes it back as zeros). */
    static byte[] expectedDataOut(BpfObject obj, Run r) {
        ProgramType t = obj.program(r.prog()).orElseThrow().type();
        byte[] out = r.data().clone();
        if (t == ProgramType.SOCKET_FILTER) Arrays.fill(out, 0, 14, (byte) 0);
        return out;
    }

    /** The map's entries, all-zero array values left out (an array has every key). */
    static TreeMap<String, String> nonZero(Side side, String map) throws Exception {
        MapType t = side.object().map(map).orElseThrow().spec().type();
        TreeMap<String, String> all = side.dump(map);
        if (t == MapType.ARRAY || t == MapType.PERCPU_ARRAY) all.values().removeIf(v -> v.chars().allMatch(ch -> ch == '0'));
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void interpreterGivesTheDocumentedResults(Case c) throws Exception {
        BpfObject obj = CorpusHarness.object(c.object);
        try (CorpusHarness.Obpf side = new CorpusHarness.Obpf(obj)) {
            List<Out> outs = execute(side, c);
            List<Run> runs = c.runs();
            for (int i = 0; i < runs.size(); i++) {
                Run r = runs.get(i);
                Out o = outs.get(i);
                String what = c.name + " " + r.prog() + " [" + r.label() + "]";
                if (r.refused() != null) continue; // execute checked the refusal
                assertEquals(r.expect(), o.retval(), what + ": retval");
                assertEquals(CorpusHarness.hex(expectedDataOut(obj, r)), CorpusHarness.hex(o.dataOut()), what + ": data_out");
                for (Map.Entry<Integer, Integer> f : r.ctxExpect().entrySet()) {
                    int got = ByteBuffer.wrap(o.ctxOut()).order(ByteOrder.LITTLE_ENDIAN).getInt(f.getKey());
                    assertEquals(f.getValue(), got, what + ": __sk_buff at " + f.getKey());
                }
            }
            for (var m : c.maps.entrySet()) assertEquals(m.getValue(), nonZero(side, m.getKey()), c.name + ": map " + m.getKey());
            for (var p : c.peeks.entrySet()) {
                assertEquals(p.getValue(), side.peek(p.getKey()).map(CorpusHarness::hex).orElse(null), c.name + ": head of " + p.getKey());
            }
            for (var rb : c.ringbufs.entrySet()) {
                assertEquals(rb.getValue(), side.ringbufRecords(rb.getKey()).stream().map(CorpusHarness::hex).toList(),
                        c.name + ": records in " + rb.getKey());
            }
        }
    }

    /** Every program of a test-runnable type in the corpus is run by some case; every other program is listed with its reason. */
    @Test
    void everyProgramIsRunOrListed() {
        List<String> missing = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        for (String name : CorpusHarness.index()) {
            BpfObject obj = CorpusHarness.object(name);
            for (ProgramSpec p : obj.programs()) {
                String id = name + "/" + p.name();
                boolean run = CorpusCases.all().stream().anyMatch(c -> c.object.equals(name) && c.runs().stream().anyMatch(r -> r.prog().equals(p.name())));
                boolean listed = CorpusCases.NOT_RUN.containsKey(id);
                if (!run && !listed) missing.add(id + " (" + p.type().kernelName() + ")");
                if (run && listed) stale.add(id);
            }
        }
        assertTrue(missing.isEmpty(), "programs neither run nor listed: " + missing);
        assertTrue(stale.isEmpty(), "programs run and also listed as not run: " + stale);
    }
}
