package org.obpf.core.exec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.helper.Helper;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnDecoder;
import org.obpf.api.insn.InsnKind;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.Symbol;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.helper.MapHelpers;
import org.obpf.core.map.AbstractBpfMap;
import org.obpf.core.map.ArrayMap;
import org.obpf.core.map.ProgArrayMap;
import org.obpf.core.prelink.Prelinked;
import org.obpf.core.run.ExecutionEngine;

/**
 * A host back-end as an {@link ExecutionEngine}: a {@link Prelinked} program is compiled,
 * linked at its own executable memory and run in-process, with the regions the caller gives
 * (and the program's directly addressed map values) as the memory it may touch.
 *
 * <p>Prelinked calls name helpers by slot in {@link Prelinked#helpers()}; the back-end names a
 * call by the helper id in {@code imm} ({@link Symbol#helper(int)}, id 12 being {@code
 * bpf_tail_call}). So each slot's call gets its helper's id back in {@code imm}, and that symbol is
 * bound to an upcall stub of that very {@link Helper} object. Synthetic helpers the prelinker made
 * (negative ids) get an id the program does not otherwise use.
 *
 * <p>Callbacks ({@code lddw BPF_PSEUDO_FUNC}, for {@code bpf_loop} and {@code
 * bpf_for_each_map_elem}): the back-end makes each callback sub-program callable from C and the
 * helper calls it through the run ({@link JitRun#callback}), one frame below its caller.
 *
 * <p>{@code bpf_tail_call}: prelinked code passes a {@link ProgArrayMap}'s address; its slots
 * must hold {@link Prelinked} programs (compiled by this engine on first tail call) or this
 * engine's {@link Compiled} ones.
 */
public final class JitExecution implements ExecutionEngine {
    /** The kernel's {@code BPF_FUNC_tail_call}. */
    static final int BPF_FUNC_TAIL_CALL = 12;

    private final JitBackend backend;
    private final CompileOptions options;
    private final HelperStubs stubs = new HelperStubs(HelperTable.empty());
    // A program is compiled once per engine, however often it is prepared (test_run prepares every run).
    private final Map<Prelinked, Compiled> compiled = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    // bpf_tail_call: the prelinked code passes a ProgArrayMap's address; its slots hold Prelinked programs (or Compiled ones).
    private final Map<ProgArrayMap, JitProgArray> views = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    private final JitProgArrays progArrays = new JitProgArrays(this::progArray);

    /** The back-end in sandbox mode: every load and store outside the stack is checked, as the interpreter checks it. */
    public JitExecution(JitBackend backend) {
        this(backend, CompileOptions.DEFAULT.withSandbox(true));
    }

    public JitExecution(JitBackend backend, CompileOptions options) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.options = options == null ? CompileOptions.DEFAULT : options;
        if (!backend.arch().equals(HostJitEngine.hostArch())) {
            throw new IllegalArgumentException("back-end " + backend.arch() + " does not generate code for this host ("
                    + HostJitEngine.hostArch() + ")");
        }
    }

    @Override
    public String name() {
        return "jit-" + backend.arch();
    }

    public JitBackend backend() {
        return backend;
    }

    /** The prelinked slots as the back-end takes them, and the helper each call's symbol names. */
    record Translation(long[] insns, Map<Integer, Helper> helpers) {}

    /**
     * Rewrites helper calls from slot numbers to helper ids.
     *
     * @throws BpfException {@link Errno#E2BIG} when helper ids run out, {@link Errno#EINVAL} for a bad slot
     */
    static Translation translate(Prelinked program) throws BpfException {
        long[] insns = program.insns();
        List<Helper> slots = program.helpers();
        // Helpers with a kernel id keep it; synthetic ones (negative ids, e.g. the skb load helpers
        // that replace BPF_ABS/BPF_IND) get ids no helper of this program uses, from the top of the
        // range down: the decoder only takes ids below BPF_FUNC_MAX_ID.
        java.util.BitSet used = new java.util.BitSet();
        used.set(BPF_FUNC_TAIL_CALL);
        for (Helper h : slots) if (h.id() >= 0 && h.id() < InsnDecoder.BPF_FUNC_MAX_ID) used.set(h.id());
        Map<Helper, Integer> ids = new java.util.IdentityHashMap<>();
        Map<Integer, Helper> byId = new HashMap<>();
        int next = InsnDecoder.BPF_FUNC_MAX_ID - 1;
        for (int pc = 0; pc < insns.length; pc++) {
            long w = insns[pc];
            InsnKind kind = InsnKind.of(w);
            if (kind == InsnKind.LD_IMM64) { // callbacks (BPF_PSEUDO_FUNC) go to the back-end as they are
                pc++;
                continue;
            }
            if (kind != InsnKind.CALL_HELPER) continue;
            int slot = Insn.imm(w);
            if (slot < 0 || slot >= slots.size()) throw new BpfException(Errno.EINVAL, "insn " + pc + ": call to helper slot " + slot + ": no such slot");
            Helper h = slots.get(slot);
            if (h.id() == BPF_FUNC_TAIL_CALL) { // the back-end emits it against its tail-call runtime
                insns[pc] = Insn.withImm(w, BPF_FUNC_TAIL_CALL);
                continue;
            }
            Integer id = ids.get(h);
            if (id == null) {
                id = h.id();
                if (id < 0 || id >= InsnDecoder.BPF_FUNC_MAX_ID || byId.containsKey(id)) {
                    while (next > 0 && used.get(next)) next--;
                    if (next <= 0) throw new BpfException(Errno.E2BIG, "insn " + pc + ": no helper id left for bpf_" + h.name());
                    used.set(next);
                    id = next;
                }
                ids.put(h, id);
                byId.put(id, h);
            }
            insns[pc] = Insn.withImm(w, id);
        }
        return new Translation(insns, byId);
    }

    @Override
    public Executable prepare(Prelinked program) throws BpfException {
        Compiled c = compiled.get(program);
        if (c == null) {
            c = compile(program);
            compiled.put(program, c);
        }
        return c;
    }

    private Compiled compile(Prelinked program) throws BpfException {
        Translation t = translate(program);
        CompileRequest req = new CompileRequest(program.type().kernelName(), program.type(), t.insns(), program.subprogs(), null,
                false, options);
        Map<Symbol, Long> symbols = new HashMap<>();
        for (var e : t.helpers().entrySet()) symbols.put(Symbol.helper(e.getKey()), stubs.address(e.getValue()));
        JitProgram jit = JitProgram.load(backend, req, stubs, symbols, progArrays);
        for (ArrayMap a : program.directMaps()) {
            jit.allow(a.values(), (a.spec().flags() & MapHelpers.BPF_F_RDONLY_PROG) == 0);
        }
        return new Compiled(jit);
    }

    private JitProgArray progArray(long mapAddress) {
        if (!(AbstractBpfMap.byAddress(mapAddress) instanceof ProgArrayMap map)) return null;
        return views.computeIfAbsent(map, m -> new JitProgArray(m.maxEntries(), i -> slot(m, i)));
    }

    private JitProgram slot(ProgArrayMap map, int index) {
        Object o = map.get(index);
        if (o == null) return null;
        if (o instanceof Compiled c) return c.program();
        if (o instanceof Prelinked p) {
            try {
                return ((Compiled) prepare(p)).program();
            } catch (BpfException e) {
                throw new IllegalStateException("slot " + index + ": " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("slot " + index + " holds " + o.getClass().getSimpleName() + ", not a program this engine can run");
    }

    /** A compiled program; its code stays mapped as long as this object is reachable. */
    public static final class Compiled implements Executable {
        private final JitProgram program;

        Compiled(JitProgram program) {
            this.program = program;
        }

        public JitProgram program() {
            return program;
        }

        @Override
        public long run(long ctx, long r2, List<Region> regions) throws BpfException {
            return program.run(ctx, r2, regions);
        }
    }
}
