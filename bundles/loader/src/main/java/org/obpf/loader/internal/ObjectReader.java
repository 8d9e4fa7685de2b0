package org.obpf.loader.internal;

import static org.obpf.api.insn.Opcodes.BPF_CALL;
import static org.obpf.api.insn.Opcodes.BPF_JMP;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_CALL;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_FUNC;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_KFUNC_CALL;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_IDX;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_IDX_VALUE;
import static org.obpf.api.insn.Opcodes.isLdImm64;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.obj.BpfObject;
import org.obpf.api.obj.FuncInfo;
import org.obpf.api.obj.LineInfo;
import org.obpf.api.obj.LoadException;
import org.obpf.api.obj.MapDefinition;
import org.obpf.api.obj.ProgramSpec;
import org.obpf.loader.internal.ElfFile.Rel;
import org.obpf.loader.internal.ElfFile.Section;
import org.obpf.loader.internal.ElfFile.Symbol;

/**
 * Reads one BPF ELF object the way libbpf's {@code bpf_object__open} does: collects program
 * sections and their functions, maps (legacy {@code maps}, BTF {@code .maps}, global data),
 * records relocations ({@code bpf_program__record_reloc}), applies the map and data ones and
 * appends called {@code .text} sub-programs to every entry program
 * ({@code bpf_object__relocate_calls}).
 */
public final class ObjectReader {
    static final int R_BPF_NONE = 0;
    static final int R_BPF_64_64 = 1;
    static final int R_BPF_64_32 = 10;

    static final int BPF_F_RDONLY_PROG = 1 << 7;
    static final int BPF_F_MMAPABLE = 1 << 10;
    static final int BPF_OBJ_NAME_LEN = 16;
    static final int BPF_MAP_DEF_SIZE = 20; // struct bpf_map_def: five u32

    /** Largest program, sub-programs included: the kernel's BPF_COMPLEXITY_LIMIT_INSNS. */
    static final int MAX_PROG_INSNS = 1_000_000;
    /** Largest total over all programs of an object, so that hostile call graphs cannot exhaust memory. */
    static final long MAX_OBJECT_INSNS = 4_000_000;

    private static final String TEXT = ".text";

    /** The fields of a BTF map definition libbpf's parse_btf_map_def reads. */
    static final List<String> MAP_DEF_FIELDS = List.of("type", "max_entries", "map_flags", "numa_node", "map_extra", "key_size",
            "value_size", "key", "value", "pinning", "values");

    /** A function in a program section: an entry program, or a sub-program in .text. */
    private record Func(String name, Section section, int start, int length, boolean global) {}

    /** A relocation on a call or on a sub-program address load, resolved once the sub-program is appended. */
    private record CallRelo(boolean call, String symbol, long symOff) {}

    private static final class MapBuilder {
        String name;
        MapType type;
        int keySize, valueSize, maxEntries, flags, numaNode;
        long mapExtra;
        MapDefinition.Kind kind;
        MapDefinition.Pinning pinning = MapDefinition.Pinning.NONE;
        Section section;
        long secOffset;
        long secSize;
        final java.util.SortedMap<Integer, String> slots = new TreeMap<>();
        int valuesOffset = -1;
        String kernelName;
        byte[] init = new byte[0];
        MapBuilder inner;

        MapDefinition build() {
            Optional<MapDefinition> in = inner == null ? Optional.empty() : Optional.of(inner.build());
            return new MapDefinition(name, new MapSpec(kernelName == null ? name : kernelName, type, keySize, valueSize,
                    maxEntries, flags), kind, section.name(), init, kind == MapDefinition.Kind.RODATA, pinning, in,
                    slots, mapExtra, numaNode);
        }
    }

    private final String object;
    private final ElfFile elf;
    private final String objName;
    private Btf btf;
    private byte[] btfBytes = new byte[0];
    private BtfExt btfExt;
    private Section text;
    private Section legacyMaps;
    private Section btfMaps;
    private String license = "";
    private int kernelVersion;
    private final List<Section> progSections = new ArrayList<>();
    private final List<Section> dataSections = new ArrayList<>();
    private final List<MapBuilder> maps = new ArrayList<>();
    private final Map<Integer, TreeMap<Integer, Func>> funcs = new HashMap<>();
    private final Map<Integer, long[]> words = new HashMap<>();
    private final Map<Integer, Map<Integer, CallRelo>> callRelos = new HashMap<>();
    private long totalInsns;
    /** Symbols by section index, so that no step loops over all symbols per section or map. */
    private Map<Integer, List<Symbol>> symbolsBySection;
    /** Map index by (section index, offset) for .maps and maps; global-data map index by section index. */
    private final Map<Integer, Map<Long, Integer>> mapAt = new HashMap<>();
    private final Map<Integer, Integer> dataMap = new HashMap<>();
    private TreeMap<Long, Integer> mapsByOffset;
    private final Map<String, TreeMap<Long, long[]>> infoIndex = new HashMap<>();

    private ObjectReader(String object, byte[] file) throws LoadException {
        this.object = object;
        this.elf = new ElfFile(object, file);
        this.objName = objectName(object);
    }

    /** Loads {@code file}; {@code name} names the object in messages and, up to its first '.', the global-data maps. */
    public static BpfObject read(String name, byte[] file) throws LoadException {
        if (file == null) throw new LoadException(Errno.EINVAL, name, "no data");
        ObjectReader r = new ObjectReader(name == null ? "" : name, file);
        return r.read();
    }

    /** libbpf's object name: the file's base name up to the first '.'. */
    static String objectName(String path) {
        String base = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
        int dot = base.indexOf('.');
        return dot < 0 ? base : base.substring(0, dot);
    }

    private BpfObject read() throws LoadException {
        symbolsBySection = new HashMap<>();
        for (Symbol sym : elf.symbols()) symbolsBySection.computeIfAbsent(sym.shndx(), k -> new ArrayList<>()).add(sym);
        collectSections();
        readLegacyMaps();
        readBtfMaps();
        addGlobalDataMaps();
        for (int i = 0; i < maps.size(); i++) {
            MapBuilder m = maps.get(i);
            if (m.kind.globalData()) dataMap.putIfAbsent(m.section.index(), i);
            else mapAt.computeIfAbsent(m.section.index(), k -> new HashMap<>()).putIfAbsent(m.secOffset, i);
        }
        collectFunctions();
        collectRelocations();
        List<ProgramSpec> programs = new ArrayList<>();
        for (Section s : progSections) {
            if (s == text) continue;
            for (Func f : funcs.get(s.index()).values()) programs.add(buildProgram(f));
        }
        List<MapDefinition> defs = new ArrayList<>(maps.size());
        for (MapBuilder m : maps) defs.add(m.build());
        return new BpfObject(objName, license, kernelVersion, programs, defs, btfBytes);
    }

    private LoadException error(Section s, int insn, String problem) {
        return new LoadException(Errno.EINVAL, object, s == null ? null : s.name(), insn, problem);
    }

    private LoadException unsupported(Section s, int insn, String problem) {
        return new LoadException(Errno.ENOTSUPP, object, s == null ? null : s.name(), insn, problem);
    }

    // ---- sections (libbpf's bpf_object__elf_collect) ----

    private void collectSections() throws LoadException {
        byte[] btfData = null, btfExtData = null;
        for (Section s : elf.sections()) {
            String name = s.name();
            if (s.index() == 0) continue;
            if (name.equals("license")) {
                byte[] d = elf.data(s);
                int n = 0;
                while (n < d.length && d[n] != 0) n++;
                license = new String(d, 0, n, StandardCharsets.UTF_8);
            } else if (name.equals("version")) {
                if (!s.hasFileData()) throw error(s, -1, "kernel version section holds no data (section type " + s.type() + ")");
                if (s.size() != 4) throw error(s, -1, "kernel version section has " + s.size() + " bytes, expected 4");
                byte[] d = elf.data(s);
                kernelVersion = (d[0] & 0xff) | (d[1] & 0xff) << 8 | (d[2] & 0xff) << 16 | (d[3] & 0xff) << 24;
            } else if (name.equals("maps") && s.type() == ElfFile.SHT_PROGBITS) {
                legacyMaps = s;
            } else if (name.equals(".maps") && s.type() == ElfFile.SHT_PROGBITS) {
                btfMaps = s;
            } else if (name.equals(".BTF")) {
                btfData = elf.data(s);
            } else if (name.equals(".BTF.ext")) {
                btfExtData = elf.data(s);
            } else if (name.equals(".struct_ops") || name.equals(".struct_ops.link")) {
                throw unsupported(s, -1, "struct_ops maps are not supported");
            } else if (name.startsWith(".addr_space.")) {
                throw unsupported(s, -1, "arena global variables (__arena) are not supported");
            } else if (s.type() == ElfFile.SHT_PROGBITS && s.executable() && s.size() > 0) {
                if (name.equals(TEXT)) text = s;
                progSections.add(s);
            } else if (s.type() == ElfFile.SHT_PROGBITS && s.size() > 0 && !s.executable()
                    && (isSection(name, ".data") || isSection(name, ".rodata"))) {
                dataSections.add(s);
            } else if (s.type() == ElfFile.SHT_NOBITS && s.size() != 0 && isSection(name, ".bss")) {
                dataSections.add(s);
            }
        }
        if (btfData != null) {
            btf = new Btf(object, btfData);
            btfBytes = btfData;
        }
        if (btfExtData != null) {
            if (btf == null) throw error(null, -1, "'.BTF.ext' section without a '.BTF' section");
            btfExt = BtfExt.parse(object, btfExtData, btf);
        }
    }

    private List<Symbol> symbolsIn(Section s) {
        return symbolsBySection.getOrDefault(s.index(), List.of());
    }

    private static boolean isSection(String name, String base) {
        return name.equals(base) || name.startsWith(base + ".");
    }

    // ---- maps ----

    /** struct bpf_map_def records in SEC("maps"), one per symbol, as libbpf before 1.0 read them. */
    private void readLegacyMaps() throws LoadException {
        if (legacyMaps == null) return;
        List<Symbol> syms = new ArrayList<>();
        for (Symbol sym : symbolsIn(legacyMaps)) {
            if (sym.type() != ElfFile.STT_SECTION) syms.add(sym);
        }
        long size = legacyMaps.size();
        if (syms.isEmpty()) {
            if (size == 0) return;
            throw error(legacyMaps, -1, "section has " + size + " bytes but no map symbols");
        }
        if (size == 0 || size % syms.size() != 0) {
            throw error(legacyMaps, -1, "cannot determine the map definition size: " + syms.size() + " maps in " + size + " bytes");
        }
        int defSize = (int) (size / syms.size());
        syms.sort(Comparator.comparingLong(Symbol::value));
        byte[] d = elf.data(legacyMaps);
        for (Symbol sym : syms) {
            if (sym.value() < 0 || sym.value() > size - defSize) {
                throw error(legacyMaps, -1, "map '" + sym.name() + "' at offset " + sym.value() + " does not fit in the section (" + size + " bytes)");
            }
            int off = (int) sym.value();
            int[] f = new int[5];
            for (int i = 0; i < 5 && 4 * i + 4 <= defSize; i++) f[i] = le32(d, off + 4 * i);
            for (int i = BPF_MAP_DEF_SIZE; i < defSize; i++) {
                if (d[off + i] != 0) {
                    throw unsupported(legacyMaps, -1, "map '" + sym.name() + "': definition has non-zero bytes after struct bpf_map_def (" + defSize + "-byte records)");
                }
            }
            MapBuilder m = new MapBuilder();
            m.name = sym.name();
            m.kind = MapDefinition.Kind.LEGACY;
            m.section = legacyMaps;
            m.secOffset = sym.value();
            m.type = mapType(legacyMaps, m.name, f[0] & 0xffffffffL);
            m.keySize = nonNegative(legacyMaps, m.name, "key_size", f[1]);
            m.valueSize = nonNegative(legacyMaps, m.name, "value_size", f[2]);
            m.maxEntries = nonNegative(legacyMaps, m.name, "max_entries", f[3]);
            m.flags = f[4];
            maps.add(m);
        }
    }

    private int nonNegative(Section s, String map, String field, long v) throws LoadException {
        if (v < 0 || v > Integer.MAX_VALUE) throw error(s, -1, "map '" + map + "': " + field + " " + Integer.toUnsignedString((int) v) + " is too large");
        return (int) v;
    }

    private MapType mapType(Section s, String map, long id) throws LoadException {
        if (id == 0) throw error(s, -1, "map '" + map + "' has no map type");
        Optional<MapType> t = id > Integer.MAX_VALUE ? Optional.empty() : MapType.byKernelId((int) id);
        if (t.isEmpty()) throw error(s, -1, "map '" + map + "': unknown map type " + id);
        if (t.get() == MapType.ARENA) throw unsupported(s, -1, "map '" + map + "': arena maps are not supported");
        if (t.get() == MapType.STRUCT_OPS) throw unsupported(s, -1, "map '" + map + "': struct_ops maps are not supported");
        return t.get();
    }

    /** BTF-defined maps: the variables of the '.maps' DATASEC, as libbpf's bpf_object__init_user_btf_maps. */
    private void readBtfMaps() throws LoadException {
        if (btfMaps == null) return;
        if (btf == null) throw error(btfMaps, -1, "map definitions in '.maps' need BTF: compile with clang -g");
        int sec = btf.findDatasec(".maps");
        if (sec == 0) throw error(btfMaps, -1, "no BTF DATASEC '.maps' describes the section");
        Map<String, Symbol> byName = new HashMap<>();
        for (Symbol s : symbolsIn(btfMaps)) {
            if (s.type() != ElfFile.STT_SECTION) byName.putIfAbsent(s.name(), s);
        }
        int i = 0;
        for (Btf.VarSecInfo v : btf.datasec(sec)) {
            if (btf.kind(v.type()) != Btf.KIND_VAR) {
                throw error(btfMaps, -1, "entry " + i + " of DATASEC '.maps' is BTF kind " + Btf.kindName(btf.kind(v.type())) + ", expected VAR");
            }
            String name = btf.name(v.type());
            if (btf.varLinkage(v.type()) == 2) throw unsupported(btfMaps, -1, "extern map '" + name + "' is not supported");
            int def = btf.skipModsAndTypedefs(btf.refType(v.type()));
            if (btf.kind(def) != Btf.KIND_STRUCT) {
                throw error(btfMaps, -1, "map '" + name + "': definition is BTF kind " + Btf.kindName(btf.kind(def)) + ", expected a struct");
            }
            Symbol sym = byName.get(name);
            if (sym == null) throw error(btfMaps, -1, "map '" + name + "' has no symbol in '.maps'");
            long size = btf.resolveSize(def);
            if (sym.value() < 0 || sym.value() > btfMaps.size() || size > btfMaps.size() - sym.value()) {
                throw error(btfMaps, -1, "map '" + name + "' (offset " + sym.value() + ", " + size + " bytes) does not fit in the section (" + btfMaps.size() + " bytes)");
            }
            MapBuilder m = parseMapDef(name, def, true);
            m.section = btfMaps;
            m.secOffset = sym.value();
            m.secSize = Math.min(Math.max(size, sym.size()), btfMaps.size() - sym.value()); // an initializer makes it longer
            maps.add(m);
            i++;
        }
    }

    /** libbpf's parse_btf_map_def. */
    private MapBuilder parseMapDef(String name, int def, boolean outer) throws LoadException {
        MapBuilder m = new MapBuilder();
        m.name = name;
        m.kind = MapDefinition.Kind.BTF;
        m.section = btfMaps;
        long keySize = -1, valueSize = -1;
        long typeId = 0;
        if (btf.vlen(def) > MAP_DEF_FIELDS.size()) {
            throw unsupported(btfMaps, -1, "map '" + name + "': definition has " + btf.vlen(def) + " fields; libbpf knows " + MAP_DEF_FIELDS.size() + ": " + MAP_DEF_FIELDS);
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Btf.Member mem : btf.members(def)) {
            String field = mem.name();
            if (!seen.add(field)) throw error(btfMaps, -1, "map '" + name + "': field '" + field + "' given twice");
            switch (field) {
                case "type" -> typeId = uintField(name, mem);
                case "max_entries" -> m.maxEntries = nonNegative(btfMaps, name, field, uintField(name, mem));
                case "map_flags" -> m.flags = (int) uintField(name, mem);
                case "numa_node" -> m.numaNode = (int) uintField(name, mem);
                case "map_extra" -> m.mapExtra = uintField(name, mem);
                case "key_size", "value_size" -> {
                    long v = uintField(name, mem);
                    boolean key = field.equals("key_size");
                    long prev = key ? keySize : valueSize;
                    if (prev >= 0 && prev != v) throw error(btfMaps, -1, "map '" + name + "': conflicting " + (key ? "key" : "value") + " size " + prev + " != " + v);
                    if (key) keySize = v; else valueSize = v;
                }
                case "key", "value" -> {
                    int t = btf.skipModsAndTypedefs(mem.type());
                    if (btf.kind(t) != Btf.KIND_PTR) {
                        throw error(btfMaps, -1, "map '" + name + "': " + field + " is BTF kind " + Btf.kindName(btf.kind(t)) + ", expected a pointer (__type(" + field + ", T))");
                    }
                    long v = btf.resolveSize(btf.refType(t));
                    boolean key = field.equals("key");
                    long prev = key ? keySize : valueSize;
                    if (prev >= 0 && prev != v) throw error(btfMaps, -1, "map '" + name + "': conflicting " + (key ? "key" : "value") + " size " + prev + " != " + v);
                    if (key) keySize = v; else valueSize = v;
                }
                case "pinning" -> {
                    long v = uintField(name, mem);
                    if (v > 1) throw error(btfMaps, -1, "map '" + name + "': invalid pinning value " + v + " (0 none, 1 by name)");
                    m.pinning = v == 1 ? MapDefinition.Pinning.BY_NAME : MapDefinition.Pinning.NONE;
                }
                case "values" -> {
                    m.valuesOffset = (int) (mem.offset() / 8);
                    if (!outer) throw unsupported(btfMaps, -1, "map '" + name + "': multi-level inner maps are not supported");
                    MapType type = typeId == 0 ? null : mapType(btfMaps, name, typeId);
                    boolean mapInMap = type == MapType.ARRAY_OF_MAPS || type == MapType.HASH_OF_MAPS;
                    if (!mapInMap && type != MapType.PROG_ARRAY) {
                        throw unsupported(btfMaps, -1, "map '" + name + "': 'values' needs a map-in-map or prog-array type given before it");
                    }
                    if (valueSize >= 0 && valueSize != 4) throw error(btfMaps, -1, "map '" + name + "': conflicting value size " + valueSize + " != 4");
                    valueSize = 4;
                    int arr = mem.type();
                    if (btf.kind(arr) != Btf.KIND_ARRAY || btf.array(arr)[2] != 0) {
                        throw error(btfMaps, -1, "map '" + name + "': values type [" + arr + "] is not a zero-sized array (__array(values, T))");
                    }
                    int ptr = btf.skipModsAndTypedefs((int) btf.array(arr)[0]);
                    if (btf.kind(ptr) != Btf.KIND_PTR) throw error(btfMaps, -1, "map '" + name + "': values should be an array of pointers");
                    int target = btf.skipModsAndTypedefs(btf.refType(ptr));
                    if (!mapInMap) {
                        if (btf.kind(target) != Btf.KIND_FUNC_PROTO) throw error(btfMaps, -1, "map '" + name + "': prog-array values should point to functions");
                    } else {
                        if (btf.kind(target) != Btf.KIND_STRUCT) {
                            throw error(btfMaps, -1, "map '" + name + "': inner map definition is BTF kind " + Btf.kindName(btf.kind(target)) + ", expected a struct");
                        }
                        m.inner = parseMapDef(name + ".inner", target, false);
                    }
                }
                default -> throw unsupported(btfMaps, -1, "map '" + name + "': unknown field '" + field + "'");
            }
        }
        m.type = mapType(btfMaps, name, typeId);
        if ((m.type == MapType.ARRAY_OF_MAPS || m.type == MapType.HASH_OF_MAPS) && outer && m.inner == null) {
            throw error(btfMaps, -1, "map '" + name + "': a map-in-map needs its inner map definition (__array(values, struct {...}))");
        }
        m.keySize = nonNegative(btfMaps, name, "key size", Math.max(keySize, 0));
        m.valueSize = nonNegative(btfMaps, name, "value size", Math.max(valueSize, 0));
        return m;
    }

    /** An {@code __uint(name, N)} field: a pointer to an array of N elements. */
    private long uintField(String map, Btf.Member mem) throws LoadException {
        int t = btf.skipModsAndTypedefs(mem.type());
        if (btf.kind(t) != Btf.KIND_PTR) {
            throw error(btfMaps, -1, "map '" + map + "': field '" + mem.name() + "' is BTF kind " + Btf.kindName(btf.kind(t)) + ", expected a pointer (__uint(" + mem.name() + ", N))");
        }
        int arr = btf.refType(t);
        if (btf.kind(arr) != Btf.KIND_ARRAY) {
            throw error(btfMaps, -1, "map '" + map + "': field '" + mem.name() + "' points to BTF kind " + Btf.kindName(btf.kind(arr)) + ", expected an array");
        }
        return btf.array(arr)[2];
    }

    /** .data*, .rodata*, .bss*: single-entry ARRAY maps, as libbpf's bpf_object__init_global_data_maps. */
    private void addGlobalDataMaps() throws LoadException {
        for (Section s : dataSections) {
            if (s.size() > Integer.MAX_VALUE) throw error(s, -1, "section of " + Long.toUnsignedString(s.size()) + " bytes is too large for a map value");
            MapBuilder m = new MapBuilder();
            m.name = s.name();
            m.kernelName = internalMapName(objName, s.name());
            m.section = s;
            m.type = MapType.ARRAY;
            m.keySize = 4;
            m.valueSize = (int) s.size();
            m.maxEntries = 1;
            if (isSection(s.name(), ".rodata")) {
                m.kind = MapDefinition.Kind.RODATA;
                m.flags = BPF_F_RDONLY_PROG | BPF_F_MMAPABLE;
                m.init = elf.data(s);
            } else if (isSection(s.name(), ".data")) {
                m.kind = MapDefinition.Kind.DATA;
                m.flags = BPF_F_MMAPABLE;
                m.init = elf.data(s);
            } else {
                m.kind = MapDefinition.Kind.BSS;
                m.flags = BPF_F_MMAPABLE;
            }
            maps.add(m);
        }
    }

    /**
     * libbpf's internal_map_name: up to 8 characters of the object name followed by the section
     * name, or the section name alone when it has a second '.' ({@code .rodata.str1.1}), at most
     * 15 characters, anything but letters, digits, '_' and '.' replaced by '_'.
     */
    static String internalMapName(String objName, String section) {
        int sfxLen = Math.max(7, section.length());
        int pfxLen = section.indexOf('.', 1) >= 0 ? 0 : Math.min(BPF_OBJ_NAME_LEN - sfxLen - 1, objName.length());
        pfxLen = Math.max(pfxLen, 0);
        String n = objName.substring(0, pfxLen) + section;
        if (n.length() > BPF_OBJ_NAME_LEN - 1) n = n.substring(0, BPF_OBJ_NAME_LEN - 1);
        StringBuilder sb = new StringBuilder(n.length());
        for (char c : n.toCharArray()) sb.append(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' ? c : '_');
        return sb.toString();
    }

    // ---- programs (libbpf's bpf_object__add_programs) ----

    private void collectFunctions() throws LoadException {
        for (Section s : progSections) {
            long[] w = elf.words(s);
            words.put(s.index(), w);
            Map<Long, Symbol> byOffset = new HashMap<>();
            for (Symbol sym : symbolsIn(s)) {
                if (sym.type() != ElfFile.STT_FUNC) continue;
                Symbol prev = byOffset.putIfAbsent(sym.value(), sym);
                if (prev != null) throw error(s, -1, "functions '" + prev.name() + "' and '" + sym.name() + "' both start at offset " + sym.value());
            }
            TreeMap<Integer, Func> list = new TreeMap<>();
            long off = 0;
            while (off < s.size()) {
                int insn = (int) (off / 8);
                Symbol sym = byOffset.get(off);
                if (sym == null) throw error(s, insn, "no function symbol starts at offset " + off + ": every instruction must belong to a function");
                if (sym.name().isEmpty()) throw error(s, insn, "function at offset " + off + " has no name");
                long size = sym.size();
                if (size <= 0 || size % 8 != 0 || size > s.size() - off) {
                    throw error(s, insn, "function '" + sym.name() + "' has size " + size + ", which is not a whole number of instructions within the section (" + s.size() + " bytes)");
                }
                boolean global = sym.bind() != ElfFile.STB_LOCAL;
                if (s != text) {
                    if (!global) throw unsupported(s, insn, "program '" + sym.name() + "' is static: entry programs must be global functions");
                    if (SectionDefs.find(s.name()).isEmpty()) {
                        throw unsupported(s, insn, "program '" + sym.name() + "': section name '" + s.name() + "' names no program type (xdp, socket, tc, classifier, kprobe/..., tracepoint/..., raw_tp/..., cgroup_skb/ingress, ...)");
                    }
                }
                list.put(insn, new Func(sym.name(), s, insn, (int) (size / 8), global));
                off += size;
            }
            funcs.put(s.index(), list);
        }
    }

    // ---- relocations (libbpf's bpf_object__collect_prog_relos, bpf_program__record_reloc) ----

    private void collectRelocations() throws LoadException {
        for (Section rs : elf.sections()) {
            if (rs.type() != ElfFile.SHT_REL && rs.type() != ElfFile.SHT_RELA) continue;
            if (rs.info() <= 0 || rs.info() >= elf.sections().size()) {
                throw error(rs, -1, "relocations apply to section " + Integer.toUnsignedString(rs.info()) + ", which does not exist");
            }
            Section target = elf.section(rs.info());
            if (btfMaps != null && target == btfMaps) {
                List<Rel> rels = elf.rels(rs);
                for (int i = 0; i < rels.size(); i++) recordMapSlot(rs, i, rels.get(i));
                continue;
            }
            if (!words.containsKey(target.index())) continue; // .rel.BTF, .rel.debug_*: not for programs
            for (Rel r : elf.rels(rs)) recordReloc(target, r);
        }
    }

    /**
     * A relocation in .rel.maps: a slot of a PROG_ARRAY or map-in-map definition initialised with
     * a program or a map (libbpf's bpf_object__collect_map_relos).
     */
    private void recordMapSlot(Section rs, int i, Rel r) throws LoadException {
        if (r.type() == R_BPF_NONE) return;
        String what = "relocation " + i + " in '" + rs.name() + "'";
        if (mapsByOffset == null) {
            mapsByOffset = new TreeMap<>();
            for (int k = 0; k < maps.size(); k++) {
                if (maps.get(k).section == btfMaps) mapsByOffset.putIfAbsent(maps.get(k).secOffset, k);
            }
        }
        var entry = mapsByOffset.floorEntry(r.offset());
        MapBuilder m = entry == null ? null : maps.get(entry.getValue());
        if (m == null || r.offset() < 0 || r.offset() - m.secOffset + 8 > m.secSize) {
            throw error(btfMaps, -1, what + ": no map definition at offset " + r.offset());
        }
        Symbol sym = elf.symbols().get(r.sym());
        boolean mapInMap = m.type == MapType.ARRAY_OF_MAPS || m.type == MapType.HASH_OF_MAPS;
        if (!mapInMap && m.type != MapType.PROG_ARRAY) throw error(btfMaps, -1, "map '" + m.name + "': " + what + " sets a slot, but it is no prog-array or map-in-map");
        long moff = r.offset() - m.secOffset - m.valuesOffset;
        if (m.valuesOffset < 0 || moff < 0 || moff % 8 != 0) throw error(btfMaps, -1, "map '" + m.name + "': " + what + " is not on a slot of 'values'");
        long slot = moff / 8;
        if (slot >= m.maxEntries) throw error(btfMaps, -1, "map '" + m.name + "': initial slot " + slot + " is beyond max_entries " + m.maxEntries);
        String target;
        if (mapInMap) {
            int idx = sym.shndx() == btfMaps.index() ? mapAt.getOrDefault(btfMaps.index(), Map.of()).getOrDefault(sym.value(), -1) : -1;
            if (idx < 0) throw error(btfMaps, -1, "map '" + m.name + "': slot " + slot + " refers to '" + sym.name() + "', which is not a BTF-defined map");
            target = maps.get(idx).name;
        } else {
            Func f = sym.type() == ElfFile.STT_FUNC && sym.value() % 8 == 0 && (text == null || sym.shndx() != text.index())
                    ? funcs.getOrDefault(sym.shndx(), new TreeMap<>()).get((int) Math.min(sym.value() / 8, Integer.MAX_VALUE)) : null;
            if (f == null || !f.name().equals(sym.name())) {
                throw error(btfMaps, -1, "map '" + m.name + "': slot " + slot + " refers to '" + sym.name() + "', which is not an entry-point program");
            }
            target = f.name();
        }
        m.slots.put((int) slot, target);
    }

    private void recordReloc(Section sec, Rel r) throws LoadException {
        long[] w = words.get(sec.index());
        if (r.type() == R_BPF_NONE) return;
        if (r.offset() < 0 || r.offset() >= sec.size()) {
            throw error(sec, -1, "relocation offset " + Long.toUnsignedString(r.offset()) + " is outside the section (" + sec.size() + " bytes)");
        }
        int insn = (int) (r.offset() / 8);
        if (r.offset() % 8 != 0) throw error(sec, insn, "relocation offset " + r.offset() + " is not on an instruction boundary");
        Symbol sym = elf.symbols().get(r.sym());
        if (r.type() != R_BPF_64_64 && r.type() != R_BPF_64_32) {
            throw error(sec, insn, "relocation type " + r.type() + " against '" + sym.name() + "' is not valid on an instruction (R_BPF_64_64 or R_BPF_64_32 expected)");
        }
        String symName = sym.type() == ElfFile.STT_SECTION && sym.shndx() > 0 && sym.shndx() < ElfFile.SHN_LORESERVE
                ? elf.section(sym.shndx()).name() : sym.name();
        long word = w[insn];
        int code = Insn.code(word);
        boolean isCall = code == (BPF_JMP | BPF_CALL);

        if (sym.shndx() == ElfFile.SHN_UNDEF) {
            if (isCall) throw unsupported(sec, insn, "call to extern function '" + symName + "' (kfunc) is not supported");
            throw unsupported(sec, insn, "extern " + externKind(symName) + " '" + symName + "' is not supported");
        }
        if (sym.shndx() >= ElfFile.SHN_LORESERVE) {
            String what = sym.shndx() == ElfFile.SHN_COMMON ? "a common symbol (compile with -fno-common)" : "special section index 0x" + Integer.toHexString(sym.shndx());
            throw error(sec, insn, "relocation against '" + symName + "', " + what + ", is not supported");
        }
        Section symSec = elf.section(sym.shndx());

        if (isCall) {
            int src = Insn.src(word);
            if (src == BPF_PSEUDO_KFUNC_CALL) throw unsupported(sec, insn, "kfunc call to '" + symName + "' is not supported");
            if (src != BPF_PSEUDO_CALL) throw error(sec, insn, "relocation against '" + symName + "' on a helper call (call src " + src + "), expected a BPF-to-BPF call");
            if (symSec != text) throw error(sec, insn, "call relocation against '" + symName + "' in section '" + symSec.name() + "': sub-programs must be in .text");
            if (sym.value() % 8 != 0) throw error(sec, insn, "call relocation against '" + symName + "' at offset " + sym.value() + ", not an instruction boundary");
            callRelos.computeIfAbsent(sec.index(), k -> new HashMap<>()).put(insn, new CallRelo(true, symName, sym.value()));
            return;
        }
        if (!isLdImm64(code)) {
            throw error(sec, insn, "relocation against '" + symName + "' on an instruction that is neither a call nor a 64-bit immediate load (opcode 0x" + Integer.toHexString(code) + ")");
        }
        if (insn + 1 >= w.length) throw error(sec, insn, "64-bit immediate load has no second slot at the end of the section");
        int addend = Insn.imm(word);

        if (symSec == text && (sym.type() == ElfFile.STT_FUNC || sym.type() == ElfFile.STT_SECTION)) {
            // address of a sub-program (callback for bpf_loop, bpf_for_each_map_elem...)
            if (sym.value() % 8 != 0 || addend % 8 != 0) throw error(sec, insn, "sub-program address of '" + symName + "' is not on an instruction boundary");
            w[insn] = withSrc(word, BPF_PSEUDO_FUNC);
            callRelos.computeIfAbsent(sec.index(), k -> new HashMap<>()).put(insn, new CallRelo(false, symName, sym.value()));
            return;
        }
        if (symSec == legacyMaps || symSec == btfMaps) {
            int idx = mapAt.getOrDefault(symSec.index(), Map.of()).getOrDefault(sym.value(), -1);
            if (idx < 0) throw error(sec, insn, "no map at offset " + sym.value() + " of section '" + symSec.name() + "' for symbol '" + symName + "'");
            w[insn] = Insn.withImm(withSrc(word, BPF_PSEUDO_MAP_IDX), idx);
            return;
        }
        Integer data = dataMap.get(symSec.index());
        if (data != null) {
            long off = (long) addend + sym.value();
            if (off < 0 || off > symSec.size()) {
                throw error(sec, insn, "reference to '" + symName + "' at offset " + off + " is outside section '" + symSec.name() + "' (" + symSec.size() + " bytes)");
            }
            w[insn] = Insn.withImm(withSrc(word, BPF_PSEUDO_MAP_IDX_VALUE), data);
            w[insn + 1] = Insn.withImm(w[insn + 1], (int) off);
            return;
        }
        throw error(sec, insn, "relocation against '" + symName + "' in section '" + symSec.name() + "', which holds no map, global data or .text function");
    }

    private String externKind(String name) throws LoadException {
        if (btf != null) {
            for (String ds : new String[] {".kconfig", ".ksyms"}) {
                int id = btf.findDatasec(ds);
                if (id == 0) continue;
                for (Btf.VarSecInfo v : btf.datasec(id)) {
                    int k = btf.kind(v.type());
                    if ((k == Btf.KIND_VAR || k == Btf.KIND_FUNC) && btf.name(v.type()).equals(name)) return "variable (" + ds + ")";
                }
            }
        }
        return "symbol";
    }

    private static long withSrc(long word, int src) {
        return (word & ~0xf000L) | (long) (src & 0xf) << 12;
    }

    // ---- sub-program appending (libbpf's bpf_object__relocate_calls / bpf_object__reloc_code) ----

    private record Frame(Func func, int base, int[] next) {}

    private ProgramSpec buildProgram(Func main) throws LoadException {
        LongList out = new LongList();
        out.addAll(words.get(main.section().index()), main.start(), main.length());
        Map<Func, Integer> appended = new IdentityHashMap<>();
        List<ProgramSpec.Subprogram> subs = new ArrayList<>();
        List<Func> subFuncs = new ArrayList<>();
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(main, 0, new int[1]));
        while (!stack.isEmpty()) {
            Frame f = stack.peek();
            int i = f.next()[0]++;
            if (i >= f.func().length()) {
                stack.pop();
                continue;
            }
            int pc = f.base() + i;
            long word = out.get(pc);
            int code = Insn.code(word);
            boolean call = code == (BPF_JMP | BPF_CALL) && Insn.src(word) == BPF_PSEUDO_CALL;
            boolean func = isLdImm64(code) && Insn.src(word) == BPF_PSEUDO_FUNC;
            if (!call && !func) continue;
            Section sec = f.func().section();
            int secInsn = f.func().start() + i;
            Map<Integer, CallRelo> relos = callRelos.getOrDefault(sec.index(), Map.of());
            CallRelo relo = relos.get(secInsn);
            long target;
            int imm = Insn.imm(word);
            if (relo != null) {
                // global functions: call imm is -1 against the function's symbol; static ones: the
                // relocation is against the .text section symbol and imm locates the function.
                target = relo.call() ? relo.symOff() / 8 + imm + 1 : (relo.symOff() + imm) / 8;
            } else if (call && sec == text) {
                target = secInsn + (long) imm + 1; // call within .text: pc-relative, no relocation
            } else {
                throw error(sec, secInsn, (call ? "BPF-to-BPF call" : "sub-program address load") + " without a relocation: its target must be a .text function");
            }
            if (text == null) throw error(sec, secInsn, "call to a sub-program, but the object has no .text code");
            String what = relo == null ? "" : " ('" + relo.symbol() + "')";
            Func sub = funcs.get(text.index()).get(target >= 0 && target <= Integer.MAX_VALUE ? (int) target : -1);
            if (sub == null) {
                throw error(sec, secInsn, "call target" + what + " is instruction " + target + " of .text, which is not the start of a function");
            }
            Integer start = appended.get(sub);
            if (start == null) {
                start = out.size();
                if ((long) start + sub.length() > MAX_PROG_INSNS) {
                    throw error(main.section(), main.start(), "program '" + main.name() + "' exceeds " + MAX_PROG_INSNS + " instructions with its sub-programs");
                }
                appended.put(sub, start);
                subs.add(new ProgramSpec.Subprogram(sub.name(), start, sub.length()));
                subFuncs.add(sub);
                out.addAll(words.get(text.index()), sub.start(), sub.length());
                stack.push(new Frame(sub, start, new int[1]));
            }
            out.set(pc, Insn.withImm(word, start - pc - 1));
        }
        totalInsns += out.size();
        if (totalInsns > MAX_OBJECT_INSNS) {
            throw error(main.section(), main.start(), "the object's programs exceed " + MAX_OBJECT_INSNS + " instructions in total with their sub-programs");
        }
        List<FuncInfo> funcInfo = new ArrayList<>();
        List<LineInfo> lineInfo = new ArrayList<>();
        if (btfExt != null) {
            relocateInfo(main, 0, funcInfo, lineInfo);
            for (int k = 0; k < subs.size(); k++) relocateInfo(subFuncs.get(k), subs.get(k).start(), funcInfo, lineInfo);
        }
        var sd = SectionDefs.find(main.section().name()).orElseThrow();
        return new ProgramSpec(main.name(), main.section().name(), sd.type(), Optional.ofNullable(sd.attach()),
                sd.sleepable(), main.start(), out.toArray(), subs, funcInfo, lineInfo);
    }

    /**
     * Func and line info records of one function, moved to where the function sits in the
     * program (libbpf's adjust_prog_btf_ext_info).
     */
    private void relocateInfo(Func f, int base, List<FuncInfo> funcInfo, List<LineInfo> lineInfo) throws LoadException {
        Section sec = f.section();
        for (long[] r : infoIn(btfExt.funcInfo, sec, "func info", f)) {
            int insn = (int) (r[0] / 8);
            if (r[1] >= btf.typeCount() || btf.kind((int) r[1]) != Btf.KIND_FUNC) {
                throw error(sec, insn, "func info for '" + f.name() + "' refers to BTF type " + r[1] + ", which is not a FUNC");
            }
            funcInfo.add(new FuncInfo(base + insn - f.start(), (int) r[1]));
        }
        for (long[] r : infoIn(btfExt.lineInfo, sec, "line info", f)) {
            int insn = (int) (r[0] / 8);
            lineInfo.add(new LineInfo(base + insn - f.start(), btf.string(r[1]), btf.string(r[2]), (int) (r[3] >>> 10),
                    (int) (r[3] & 0x3ff), (int) r[1], (int) r[2]));
        }
    }

    /** The info records of a function, from the section's records sorted by instruction (checked once per section). */
    private List<long[]> infoIn(Map<String, List<long[]>> info, Section sec, String what, Func f) throws LoadException {
        String key = what + "\0" + sec.name();
        TreeMap<Long, long[]> sorted = infoIndex.get(key);
        if (sorted == null) {
            sorted = new TreeMap<>();
            for (long[] r : info.getOrDefault(sec.name(), List.of())) {
                long off = r[0];
                if (off % 8 != 0 || off >= sec.size()) {
                    throw new LoadException(Errno.EINVAL, object, ".BTF.ext", -1, "bad BTF.ext: " + what + " of section '" + sec.name()
                            + "' at byte offset " + off + ", not an instruction of the section (" + sec.size() + " bytes)");
                }
                // the kernel takes at most one record per instruction, in order
                if (sorted.put(off / 8, r) != null) {
                    throw new LoadException(Errno.EINVAL, object, ".BTF.ext", -1, "bad BTF.ext: two " + what + " records for instruction "
                            + off / 8 + " of section '" + sec.name() + "'");
                }
            }
            infoIndex.put(key, sorted);
        }
        return new ArrayList<>(sorted.subMap((long) f.start(), (long) f.start() + f.length()).values());
    }

    private static int le32(byte[] d, int off) {
        return (d[off] & 0xff) | (d[off + 1] & 0xff) << 8 | (d[off + 2] & 0xff) << 16 | (d[off + 3] & 0xff) << 24;
    }

    /** A growable long array. */
    private static final class LongList {
        private long[] a = new long[64];
        private int n;

        void addAll(long[] src, int from, int len) {
            if (n + len > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, n + len));
            System.arraycopy(src, from, a, n, len);
            n += len;
        }

        long get(int i) { return a[i]; }

        void set(int i, long v) { a[i] = v; }

        int size() { return n; }

        long[] toArray() { return Arrays.copyOf(a, n); }
    }
}
