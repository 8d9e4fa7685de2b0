package org.obpf.api.offload;

import java.util.ArrayList;
import java.util.List;
import org.obpf.api.insn.InsnKind;

/**
 * Firmware atomic routines: how a back-end for cores without atomic instructions (RV32IMC has no
 * A extension) compiles BPF atomics into calls to routines a device's firmware performs on its
 * memory, as the kernel's NFP JIT issues memory-engine commands. A device that has them lists
 * every {@link #SYMBOLS} name in {@link DeviceInfo#firmwareSymbols()} and {@link #EXTENSION} in
 * {@link DeviceInfo#jitExtensions()}; the back-end then emits a standard call relocation
 * ({@code R_RISCV_CALL} on RISC-V) against {@link org.obpf.api.jit.Symbol#runtime} of the name.
 *
 * <p>One routine per operation and width, {@code __obpf_atomic_<op><32|64>} with op one of
 * add, or, and, xor, xchg, cmpxchg: it performs the read-modify-write atomically and returns the
 * old value (the fetch forms and the plain forms call the same routine). Register convention on
 * RV32 (chosen so that no BPF register has to move around the call): address in t0, operand in
 * t2:t3 (low:high; the low word only for 32-bit), expected value (BPF r0) in t4:t5 for cmpxchg;
 * the old value returns in t2:t3 (high word zero for 32-bit); every other register but ra is
 * preserved.
 */
public final class FirmwareAtomics {
    private FirmwareAtomics() {}

    /** The {@link org.obpf.api.jit.CompileOptions#extensions()} entry asking for calls to these routines. */
    public static final String EXTENSION = "xobpfatomic";

    private static final String[] OPS = {"add", "or", "and", "xor", "xchg", "cmpxchg"};

    /** Every routine's name, 32-bit ones first, in {@link #index} order. */
    public static final List<String> SYMBOLS;

    static {
        List<String> s = new ArrayList<>();
        for (int w = 0; w < 2; w++) for (String op : OPS) s.add("__obpf_atomic_" + op + (w == 0 ? "32" : "64"));
        SYMBOLS = List.copyOf(s);
    }

    /** The routine implementing atomic {@code kind} on a word ({@code wide} false) or double word. */
    public static String symbol(InsnKind kind, boolean wide) {
        return SYMBOLS.get(index(kind, wide));
    }

    /** Position of the routine in {@link #SYMBOLS}: op + 6 for 64-bit. */
    public static int index(InsnKind kind, boolean wide) {
        int op = switch (kind) {
            case ATOMIC_ADD, ATOMIC_FETCH_ADD -> 0;
            case ATOMIC_OR, ATOMIC_FETCH_OR -> 1;
            case ATOMIC_AND, ATOMIC_FETCH_AND -> 2;
            case ATOMIC_XOR, ATOMIC_FETCH_XOR -> 3;
            case ATOMIC_XCHG -> 4;
            case ATOMIC_CMPXCHG -> 5;
            default -> throw new IllegalArgumentException(kind + " is not an atomic operation");
        };
        return op + (wide ? OPS.length : 0);
    }

    /** Whether a device with this description performs every atomic routine. */
    public static boolean providedBy(DeviceInfo info) {
        return info.jitExtensions().contains(EXTENSION) && info.firmwareSymbols().keySet().containsAll(SYMBOLS);
    }
}
