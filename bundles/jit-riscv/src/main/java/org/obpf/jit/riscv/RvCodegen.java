package org.obpf.jit.riscv;

import static org.obpf.api.insn.Opcodes.isLdImm64;

import java.util.ArrayList;
import java.util.List;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnKind;
import org.obpf.api.jit.code.CodeBuffer;
import org.obpf.api.jit.code.HostAbi;
import org.obpf.api.jit.code.Label;

/**
 * What the RV64 and RV32 translators share: the program and its sub-program table, the labels of
 * one convergence pass, and the image's shape (entry stub, sub-programs in order, one fault stub
 * per instruction that can end the run). The subclasses translate instructions.
 */
abstract class RvCodegen implements RvCompiler.Generator {
    protected final long[] insns;
    protected final int n;
    protected final int[] origin;
    protected final int[] starts;
    protected final int[] funcOf;
    /** Each slot's kind, classified once rather than in every convergence pass. */
    protected final InsnKind[] kinds;
    protected final boolean rvc;
    protected final boolean zbb;
    protected final boolean zextInserted;

    // Per pass.
    protected RvEmitter a;
    protected CodeBuffer b;
    protected Label[] insnLabel;
    protected Label[] funcLabel;
    protected Label[] epilogue;
    protected Label abort;
    private List<Fault> faults;
    private int[] slotOffset;

    private record Fault(Label label, int insn, int errno) {}

    RvCodegen(long[] insns, int[] origin, int[] starts, boolean rvc, boolean zbb, boolean zextInserted) {
        this.insns = insns;
        this.n = insns.length;
        this.origin = origin;
        this.starts = starts;
        this.rvc = rvc;
        this.zbb = zbb;
        this.zextInserted = zextInserted;
        this.funcOf = new int[n];
        this.kinds = new InsnKind[n];
        for (int pc = 0; pc < n; pc++) kinds[pc] = InsnKind.of(insns[pc]);
        for (int f = 0, pc = 0; pc < n; pc++) {
            while (f + 1 < starts.length && starts[f + 1] <= pc) f++;
            funcOf[pc] = f;
        }
    }

    /** This width's emitter on {@code buf}. */
    abstract RvEmitter emitter(CodeBuffer buf);

    /** The entry stub, never compressed: its size is {@link #tailCallOffset()}. */
    abstract void entryStub(RvEmitter a, Label body, Label abort);

    abstract int tailCallOffset();

    /** The register holding the run context, and a scratch register free in fault stubs. */
    abstract Reg ctx();

    abstract Reg scratch();

    abstract void prologue();

    abstract void epilogue();

    abstract void ldImm64(int pc);

    abstract void insn(int pc, int end);

    /** Called at the start of each pass, after the shared labels exist. */
    void beginPass() {}

    /** Called at the end of each pass, after the fault stubs (out-of-line routines). */
    void endPass() {}

    @Override
    public final int[] slotOffsets() {
        return slotOffset.clone();
    }

    @Override
    public final int[] subprogOffsets() {
        int[] r = new int[starts.length];
        for (int f = 1; f < starts.length; f++) r[f] = b.offsetOf(funcLabel[f]);
        return r;
    }

    @Override
    public final void emit(CodeBuffer buf) {
        this.b = buf;
        this.a = emitter(buf);
        insnLabel = new Label[n];
        for (int i = 0; i < n; i++) insnLabel[i] = buf.newLabel();
        funcLabel = new Label[starts.length];
        epilogue = new Label[starts.length];
        for (int f = 0; f < starts.length; f++) {
            funcLabel[f] = buf.newLabel();
            epilogue[f] = buf.newLabel();
        }
        abort = buf.newLabel();
        faults = new ArrayList<>();
        slotOffset = new int[n + 1];
        beginPass();

        a.compress(false);
        entryStub(a, funcLabel[0], abort);
        a.compress(rvc);
        if (buf.offset() != tailCallOffset()) throw new IllegalStateException("entry stub size changed");
        for (int f = 0; f < starts.length; f++) {
            int end = f + 1 < starts.length ? starts[f + 1] : n;
            buf.bind(funcLabel[f]);
            prologue();
            for (int pc = starts[f]; pc < end; pc++) {
                buf.bind(insnLabel[pc]);
                slotOffset[pc] = buf.offset();
                if (isLdImm64(Insn.code(insns[pc]))) {
                    ldImm64(pc);
                    pc++;
                    buf.bind(insnLabel[pc]);
                    slotOffset[pc] = buf.offset();
                    continue;
                }
                insn(pc, end);
            }
            buf.bind(epilogue[f]);
            epilogue();
        }
        slotOffset[n] = buf.offset();
        for (Fault fault : faults) {
            buf.bind(fault.label);
            a.imm(scratch(), fault.insn);
            a.store(4, scratch(), ctx(), HostAbi.ERROR_INSN);
            if (fault.errno != 0) {
                a.li(scratch(), fault.errno);
                a.store(4, scratch(), ctx(), HostAbi.ERROR);
            }
            a.j(abort);
        }
        endPass();
    }

    /** A fault stub for instruction {@code pc}: records it (and {@code errno} unless 0) and ends the run. */
    protected Label fault(int pc, int errno) {
        Label l = b.newLabel();
        faults.add(new Fault(l, origin[pc], errno));
        return l;
    }
}
