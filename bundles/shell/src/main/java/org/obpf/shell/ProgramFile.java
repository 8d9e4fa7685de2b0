package org.obpf.shell;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.obpf.api.insn.InsnDecoder;
import org.obpf.api.insn.InvalidInsnException;
import org.obpf.api.text.Assembler;
import org.obpf.api.text.AssemblerException;

/**
 * Raw programs from files: assembly text ({@code .s}, {@code .asm}: the conformance suite's
 * syntax), hex text (two digits per byte, white space ignored), or binary (8-byte little-endian
 * instruction slots). What is read is validated as the kernel's verifier checks encodings.
 */
final class ProgramFile {
    private ProgramFile() {}

    static long[] read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ShellException("no such file: " + file);
        } catch (IOException e) {
            throw new ShellException("cannot read " + file + ": " + e.getMessage());
        }
        String name = file.getFileName().toString();
        long[] prog;
        if (name.endsWith(".s") || name.endsWith(".asm")) {
            try {
                prog = Assembler.assemble(new String(bytes, StandardCharsets.UTF_8));
            } catch (AssemblerException e) {
                throw new ShellException(file + ": " + e.getMessage());
            }
        } else if (isHexText(bytes)) {
            prog = words(file, hex(new String(bytes, StandardCharsets.US_ASCII)));
        } else {
            prog = words(file, bytes);
        }
        try {
            InsnDecoder.validate(prog);
        } catch (InvalidInsnException e) {
            throw new ShellException(file + ": " + e.getMessage());
        }
        return prog;
    }

    static byte[] bytes(long[] prog) {
        ByteBuffer b = ByteBuffer.allocate(prog.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long w : prog) b.putLong(w);
        return b.array();
    }

    private static boolean isHexText(byte[] bytes) {
        if (bytes.length == 0) return false;
        for (byte c : bytes) {
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex && !Character.isWhitespace(c)) return false;
        }
        return true;
    }

    private static byte[] hex(String text) {
        String digits = text.replaceAll("\\s+", "");
        if (digits.length() % 2 != 0) throw new ShellException("hex text has an odd number of digits (" + digits.length() + ")");
        byte[] out = new byte[digits.length() / 2];
        for (int i = 0; i < out.length; i++) out[i] = (byte) Integer.parseInt(digits, 2 * i, 2 * i + 2, 16);
        return out;
    }

    private static long[] words(Path file, byte[] bytes) {
        if (bytes.length == 0) throw new ShellException(file + ": empty program");
        if (bytes.length % 8 != 0) {
            throw new ShellException(file + ": " + bytes.length + " bytes is not a whole number of 8-byte instructions");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long[] prog = new long[bytes.length / 8];
        for (int i = 0; i < prog.length; i++) prog[i] = b.getLong();
        return prog;
    }
}
