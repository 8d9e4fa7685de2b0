package org.obpf.offload.rfpc.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.Symbol;

/**
 * Hand-built RV32 images: an assembly file assembled by the cross gcc into an object, whose
 * {@code .text} and RELA records become a {@link RelocatableImage} the way a JIT back-end would
 * record them (symbols {@code map_N}, {@code map_value_N}, {@code helper_N}, {@code subprog_N};
 * any other defined label is a place in the image), and the same object linked by GNU ld at a
 * given address with the device's symbol addresses: the reference for the device's loader.
 */
public final class RvImages {
    private RvImages() {}

    public static final String LD = "riscv64-linux-gnu-ld";

    public record Assembled(Path object, RelocatableImage image, Map<String, Integer> labels) {}

    public static Path resource(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = RvImages.class.getResourceAsStream("/rv32/" + name)) {
            if (in == null) throw new IOException("test resource rv32/" + name + " missing");
            Files.write(p, in.readAllBytes());
        }
        return p;
    }

    public static Assembled assemble(Path dir, String source) throws IOException, InterruptedException {
        Path src = resource(dir, source);
        Path obj = Cross.object(dir, source.replace(".S", ".o"), src, "-mno-relax");
        Elf32 elf = Elf32.read(obj);
        Elf32.Section text = elf.section(".text");
        int textIndex = elf.sections.indexOf(text);
        List<Elf32.Sym> syms = elf.symbols();
        Map<String, Integer> labels = new TreeMap<>();
        TreeMap<Integer, Integer> subprogs = new TreeMap<>();
        subprogs.put(0, 0);
        for (Elf32.Sym s : syms) {
            if (s.shndx() != textIndex || s.name().isEmpty()) continue;
            labels.put(s.name(), s.value());
            if (s.name().startsWith("subprog_")) subprogs.put(Integer.parseInt(s.name().substring(8)), s.value());
        }
        List<Relocation> rel = new ArrayList<>();
        for (Elf32.Rela r : elf.relocations(".text")) {
            Elf32.Sym s = syms.get(r.sym());
            String n = s.name();
            Symbol sym;
            long addend = r.addend();
            if (s.shndx() == textIndex && !n.startsWith("subprog_")) {
                sym = Symbol.image();
                addend += s.value();
            } else if (n.startsWith("map_value_")) {
                sym = Symbol.mapValue(Integer.parseInt(n.substring(10)));
            } else if (n.startsWith("map_")) {
                sym = Symbol.map(Integer.parseInt(n.substring(4)));
            } else if (n.startsWith("helper_")) {
                sym = Symbol.helper(Integer.parseInt(n.substring(7)));
            } else if (n.startsWith("subprog_")) {
                sym = Symbol.subprog(Integer.parseInt(n.substring(8)));
            } else {
                sym = Symbol.runtime(n);
            }
            rel.add(new Relocation(r.offset(), r.type(), "R_RISCV_" + r.type(), sym, addend));
        }
        int[] subs = subprogs.values().stream().mapToInt(Integer::intValue).toArray();
        byte[] code = elf.bytes(text.offset(), text.size());
        return new Assembled(obj, new RelocatableImage("riscv32", code, rel, subs, new int[] {0, code.length}), labels);
    }

    /** The object linked by GNU ld at {@code address} with {@code symbols} defined: its .text bytes. */
    public static byte[] ldLink(Path dir, Path object, long address, Map<String, Long> symbols) throws IOException, InterruptedException {
        Path ld = Cross.tool(LD, "binutils-riscv64-linux-gnu");
        Path out = dir.resolve("linked-" + Long.toHexString(address) + ".elf");
        List<String> cmd = new ArrayList<>(List.of(ld.toString(), "-m", "elf32lriscv", "--no-relax", "-e", "prog",
                "-Ttext=0x" + Long.toHexString(address), "-o", out.toString()));
        for (Map.Entry<String, Long> e : symbols.entrySet()) cmd.add("--defsym=" + e.getKey() + "=0x" + Long.toHexString(e.getValue()));
        cmd.add(object.toString());
        Path err = Files.createTempFile(dir, "ld", ".txt");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + ":\n" + Files.readString(err));
        Elf32 elf = Elf32.read(out);
        Elf32.Section text = elf.section(".text");
        if (text.addr() != (int) address) throw new IOException("ld put .text at 0x" + Integer.toHexString(text.addr()));
        return elf.bytes(text.offset(), text.size());
    }
}
