package org.obpf.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.obpf.api.Errno;
import org.obpf.api.obj.LoadException;

/** One broken field per error class; each gives a LoadException that names the problem. */
class MalformedElfTest {

    private static Arguments c(String what, String object, Function<ElfPatch, byte[]> patch, Errno errno, String section,
                               String message) {
        return Arguments.of(what, object, patch, errno, section, message);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
            c("empty file", "xdp_parse_udp", e -> new byte[0], Errno.EINVAL, null,
                    "truncated ELF header: the file has 0 bytes, an ELF64 header needs 64"),
            c("truncated header", "xdp_parse_udp", e -> Arrays.copyOf(e.b, 63), Errno.EINVAL, null,
                    "truncated ELF header: the file has 63 bytes"),
            c("bad magic", "xdp_parse_udp", e -> e.u8(1, 'X').b, Errno.EINVAL, null, "not an ELF file (bad magic number)"),
            c("ELF32", "xdp_parse_udp", e -> e.u8(4, 1).b, Errno.EINVAL, null, "ELF class 1: BPF objects are ELF64 (class 2)"),
            c("big-endian", "xdp_parse_udp", e -> e.u8(5, 2).b, Errno.EINVAL, null,
                    "ELF data encoding 2: only little-endian (1) BPF objects are supported"),
            c("executable, not relocatable", "xdp_parse_udp", e -> e.u16(16, 2).b, Errno.EINVAL, null,
                    "ELF type 2 is not a relocatable object (ET_REL, 1)"),
            c("x86-64 machine", "xdp_parse_udp", e -> e.u16(18, 62).b, Errno.EINVAL, null, "ELF machine 62 is not BPF (EM_BPF, 247)"),
            c("section header entry size", "xdp_parse_udp", e -> e.u16(0x3a, 40).b, Errno.EINVAL, null,
                    "section header entry size 40, expected 64"),
            c("section header table past the end", "xdp_parse_udp", e -> e.u64(0x28, e.b.length).b, Errno.EINVAL, null,
                    "section header table offset"),
            c("section count too large", "xdp_parse_udp", e -> e.u16(0x3c, 0xfffe).b, Errno.EINVAL, null,
                    "section header table of 65534 entries"),
            c("section name table index out of range", "xdp_parse_udp", e -> e.u16(0x3e, e.shnum()).b, Errno.EINVAL, null,
                    "section name table index"),
            c("section data past the end", "xdp_parse_udp", e -> e.u64(e.shdr("xdp") + 0x18, e.b.length - 4).b, Errno.EINVAL, null,
                    "extends past the end of the file"),
            c("huge section size", "xdp_parse_udp", e -> e.u64(e.shdr("xdp") + 0x20, Long.MAX_VALUE).b, Errno.EINVAL, null,
                    "extends past the end of the file"),
            c("overlapping sections", "xdp_parse_udp", e -> e.u64(e.shdr("license") + 0x18, e.offset("xdp")).b, Errno.EINVAL, null,
                    "overlap in the file"),
            c("section over the ELF header", "xdp_parse_udp", e -> e.u64(e.shdr("license") + 0x18, 8).b, Errno.EINVAL, "license",
                    "section data overlaps the ELF header"),
            c("section name out of the name table", "xdp_parse_udp", e -> e.u32(e.shdr("xdp"), 0x7fffffff).b, Errno.EINVAL, null,
                    "section names: string offset 2147483647 is out of range of its table"),
            c("symbol entry size", "xdp_parse_udp", e -> e.u64(e.shdr(".symtab") + 0x38, 16).b, Errno.EINVAL, ".symtab",
                    "symbol entry size 16, expected 24"),
            c("symbol in a section that does not exist", "xdp_parse_udp", e -> e.u16(e.sym("xdp_parse_udp") + 6, 500).b, Errno.EINVAL,
                    ".symtab", "'xdp_parse_udp' refers to section 500, out of range"),
            c("symbol name out of the string table", "xdp_parse_udp", e -> e.u32(e.sym("xdp_parse_udp"), 0x7fffff00).b, Errno.EINVAL,
                    null, "symbol names: string offset 2147483392 is out of range of its table"),
            c("relocation symbol out of range", "xdp_count_array", e -> e.u64(e.rel(".relxdp", 0) + 8, 9999L << 32 | 1).b,
                    Errno.EINVAL, ".relxdp", "relocation 0 refers to symbol 9999, out of range"),
            c("relocation offset out of the section", "xdp_count_array", e -> e.u64(e.rel(".relxdp", 0), 1L << 40).b, Errno.EINVAL,
                    "xdp", "relocation offset 1099511627776 is outside the section"),
            c("relocation offset not on an instruction", "xdp_count_array", e -> e.u64(e.rel(".relxdp", 0), e.getU64(e.rel(".relxdp", 0)) + 4).b,
                    Errno.EINVAL, "xdp", "is not on an instruction boundary"),
            c("relocation against a section that is no map", "xdp_count_array",
                    e -> e.u32(e.rel(".relxdp", 0) + 12, e.symIndex("LICENSE")).b, Errno.EINVAL, "xdp",
                    "relocation against 'LICENSE' in section 'license', which holds no map, global data or .text function"),
            c("relocation on an instruction that is no load", "xdp_count_array", e -> e.u64(e.rel(".relxdp", 0), 0).b, Errno.EINVAL,
                    "xdp", "instruction 0: relocation against 'proto_packets' on an instruction that is neither a call nor a 64-bit immediate load (opcode 0x61)"),
            c("relocation type", "xdp_count_array", e -> e.u32(e.rel(".relxdp", 0) + 8, 3).b, Errno.EINVAL, "xdp",
                    "relocation type 3 against 'proto_packets' is not valid on an instruction"),
            c("relocation target section out of range", "xdp_count_array", e -> e.u32(e.shdr(".relxdp") + 0x2c, 999).b, Errno.EINVAL,
                    ".relxdp", "relocations apply to section 999, which does not exist"),
            c("relocation entry size", "xdp_count_array", e -> e.u64(e.shdr(".relxdp") + 0x38, 24).b, Errno.EINVAL, ".relxdp",
                    "relocation entry size 24, expected 16"),
            c("BTF magic", "xdp_count_array", e -> e.u16((int) e.offset(".BTF"), 0x9feb).b, Errno.EINVAL, ".BTF",
                    "bad BTF: bad magic 0x9feb"),
            c("BTF type section past its end", "xdp_count_array", e -> e.u32((int) e.offset(".BTF") + 12, 0x100000).b, Errno.EINVAL,
                    ".BTF", "bad BTF: type section (offset 0, length 1048576) extends past the end of .BTF"),
            c("BTF unknown kind", "xdp_count_array", e -> e.u8((int) e.offset(".BTF") + 24 + 7, 31).b, Errno.EINVAL, ".BTF",
                    "bad BTF: type [1] has unknown kind 31"),
            c("BTF string section without NUL", "xdp_count_array", e -> e.u8((int) e.offset(".BTF") + 24 + e.getU32((int) e.offset(".BTF") + 16), 'x').b,
                    Errno.EINVAL, ".BTF", "bad BTF: string section must start and end with a NUL byte"),
            c("BTF.ext without BTF", "xdp_count_array", e -> e.u32(e.shdr(".BTF"), e.getU32(e.shdr("license"))).b, Errno.EINVAL, null,
                    "'.BTF.ext' section without a '.BTF' section"),
            c("BTF.ext header length", "xdp_count_array", e -> e.u32((int) e.offset(".BTF.ext") + 4, 0x7fffffff).b, Errno.EINVAL,
                    ".BTF.ext", "bad BTF.ext: header length 2147483647 out of range"),
            c("line info not on an instruction", "xdp_count_array",
                    e -> e.u32((int) e.offset(".BTF.ext") + e.getU32((int) e.offset(".BTF.ext") + 4) + e.getU32((int) e.offset(".BTF.ext") + 16) + 12, 3).b,
                    Errno.EINVAL, ".BTF.ext", "bad BTF.ext: line info of section 'xdp' at byte offset 3, not an instruction of the section"),
            c("line info count past its part", "xdp_count_array",
                    e -> e.u32((int) e.offset(".BTF.ext") + e.getU32((int) e.offset(".BTF.ext") + 4) + e.getU32((int) e.offset(".BTF.ext") + 16) + 8, 0x10000000).b,
                    Errno.EINVAL, ".BTF.ext", "bad BTF.ext: line info of section 'xdp': 268435456 records extend past the part"),
            c("prog-array slot set to a map", "tail_calls", e -> e.u32(e.rel(".rel.maps", 0) + 12, e.symIndex("jmp_table")).b, Errno.EINVAL,
                    ".maps", "map 'jmp_static': slot 1 refers to 'jmp_table', which is not an entry-point program"),
            c("prog-array slot between slots", "tail_calls", e -> e.u64(e.rel(".rel.maps", 0), e.getU64(e.rel(".rel.maps", 0)) + 4).b,
                    Errno.EINVAL, ".maps", "map 'jmp_static': relocation 0 in '.rel.maps' is not on a slot of 'values'"),
            c("map-in-map slot set to a program", "map_in_map", e -> e.u32(e.rel(".rel.maps", 0) + 12, e.symIndex("inner_count")).b,
                    Errno.EINVAL, ".maps", "map 'outer': slot 0 refers to 'inner_count', which is not a BTF-defined map"),
            c("function size not whole instructions", "xdp_parse_udp", e -> e.u64(e.sym("xdp_parse_udp") + 16, 7).b, Errno.EINVAL,
                    "xdp", "function 'xdp_parse_udp' has size 7"),
            c("instructions outside any function", "xdp_parse_udp", e -> e.u64(e.sym("xdp_parse_udp") + 16, 8).b, Errno.EINVAL,
                    "xdp", "instruction 1: no function symbol starts at offset 8"),
            c("call into the middle of a function", "bpf2bpf_calls", e -> e.u32((int) e.offset("xdp") + 4 * 8 + 4, 4).b,
                    Errno.EINVAL, "xdp", "instruction 4: call target ('.text') is instruction 5 of .text, which is not the start of a function"),
            c("kernel version section size", "legacy_maps", e -> e.u64(e.shdr("version") + 0x20, 2).b, Errno.EINVAL, "version",
                    "kernel version section has 2 bytes, expected 4"),
            c("kernel version section without data", "legacy_maps", e -> e.u32(e.shdr("version") + 4, 8).b, Errno.EINVAL, "version",
                    "kernel version section holds no data (section type 8)"),
            c("legacy map records of unknown size", "legacy_maps", e -> e.u64(e.shdr("maps") + 0x20, 39).b, Errno.EINVAL, "maps",
                    "cannot determine the map definition size: 2 maps in 39 bytes"),
            c("legacy map of unknown type", "legacy_maps", e -> e.u32((int) e.offset("maps"), 99).b, Errno.EINVAL, "maps",
                    "map 'len_hist': unknown map type 99"),
            c("data reference past the section", "global_data", e -> e.u32((int) e.offset("xdp") + 19 * 8 + 4, 4096).b, Errno.EINVAL,
                    "xdp", "instruction 19: reference to 'threshold' at offset 4096 is outside section '.rodata' (16 bytes)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithANamedError(String what, String object, Function<ElfPatch, byte[]> patch, Errno errno, String section,
                                 String message) {
        byte[] broken = patch.apply(new ElfPatch(Corpus.object(object)));
        LoadException e = assertThrows(LoadException.class, () -> new ElfObjectLoader().load(object + ".o", broken));
        assertTrue(e.getMessage().startsWith(object + ".o: "), e.getMessage());
        assertTrue(e.getMessage().contains(message), "expected \"" + message + "\" in: " + e.getMessage());
        assertEquals(errno, e.errno(), e.getMessage());
        assertEquals(Optional.ofNullable(section), e.section(), e.getMessage());
    }
}
