# The Felix runtime every OBPF installation stands on: Declarative Services and the Gogo shell.
name = framework
version = ${project.version}
description = Apache Felix SCR (Declarative Services) and the Gogo shell
bundles = \
  org.osgi:org.osgi.util.function:${osgi.function.version}, \
  org.osgi:org.osgi.util.promise:${osgi.promise.version}, \
  org.osgi:org.osgi.service.component:${osgi.component.version}, \
  org.apache.felix:org.apache.felix.scr:${felix.scr.version}, \
  org.apache.felix:org.apache.felix.gogo.runtime:${gogo.runtime.version}, \
  org.apache.felix:org.apache.felix.gogo.command:${gogo.command.version}, \
  org.jline:jline:${jline.version}, \
  org.apache.felix:org.apache.felix.gogo.jline:${gogo.jline.version}
