/** The ELF, BTF and relocation readers behind {@link org.obpf.loader.ElfObjectLoader}; not exported. */
package org.obpf.loader.internal;
