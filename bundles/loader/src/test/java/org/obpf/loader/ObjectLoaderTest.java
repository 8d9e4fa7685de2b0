package org.obpf.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obpf.api.Errno;
import org.obpf.api.obj.BpfObject;
import org.obpf.api.obj.LoadException;
import org.obpf.api.obj.ObjectLoader;

/** The service interface as the shell uses it: a file, named by its file name. */
class ObjectLoaderTest {
    private final ObjectLoader loader = new ElfObjectLoader();

    @Test
    void loadsAFileNamedByItsFileName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("global_data.bpf.o");
        Files.write(file, Corpus.object("global_data"));
        BpfObject o = loader.load(file);
        assertEquals("global_data", o.name());
        assertEquals("global_d.rodata", o.map(".rodata").orElseThrow().spec().name());
        assertEquals(0, o.mapIndex(".rodata"));
        assertEquals(-1, o.mapIndex("nothing"));
        assertEquals(loader.load("global_data.o", Corpus.object("global_data")), o, "the same object either way");
    }

    @Test
    void aFileThatIsNoObjectIsNamedInTheError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "not an object at all, but long enough for an ELF header check........");
        LoadException e = assertThrows(LoadException.class, () -> loader.load(file));
        assertEquals("notes.txt: not an ELF file (bad magic number)", e.getMessage());
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void noBytesIsAnError() {
        LoadException e = assertThrows(LoadException.class, () -> loader.load("x.o", null));
        assertEquals("x.o: no data", e.getMessage());
    }
}
