package org.obpf.api.jit;

import java.util.Arrays;
import java.util.Objects;

/**
 * Code bound to one load address: every relocation applied. The caller copies it to exactly
 * {@code loadAddress} (host executable memory or device memory) and enters it at
 * {@link #entryAddress()}.
 */
public record LinkedImage(String arch, long loadAddress, byte[] code, int[] subprogOffsets, int[] insnOffsets) {
    public LinkedImage {
        Objects.requireNonNull(arch, "arch");
        code = code.clone();
        subprogOffsets = subprogOffsets.clone();
        insnOffsets = insnOffsets.clone();
    }

    @Override
    public byte[] code() {
        return code.clone();
    }

    @Override
    public int[] subprogOffsets() {
        return subprogOffsets.clone();
    }

    @Override
    public int[] insnOffsets() {
        return insnOffsets.clone();
    }

    public long entryAddress() {
        return loadAddress + subprogOffsets[0];
    }

    public int size() {
        return code.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinkedImage l && arch.equals(l.arch) && loadAddress == l.loadAddress
                && Arrays.equals(code, l.code) && Arrays.equals(subprogOffsets, l.subprogOffsets)
                && Arrays.equals(insnOffsets, l.insnOffsets);
    }

    @Override
    public int hashCode() {
        return Objects.hash(arch, loadAddress, Arrays.hashCode(code));
    }

    @Override
    public String toString() {
        return "LinkedImage[" + arch + " at 0x" + Long.toHexString(loadAddress) + ", " + code.length + " bytes]";
    }
}
