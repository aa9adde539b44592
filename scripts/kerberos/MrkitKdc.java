// The KDC of `mrkit cluster up` with --secure: Hadoop's MiniKdc on a fixed port, each keytab
// written once (a principal created again gets new random keys and older keytabs stop working).
// Run in Java's source-file mode by mr/engines/secure.py:
//   java -cp 'LIB/*' MrkitKdc.java WORKDIR PORT KEYTAB=PRINCIPAL,PRINCIPAL ...
// A principal written +PRINCIPAL is one an earlier group made, exported into this keytab too.
// Prints "KDC READY realm=MRKIT.TEST port=PORT" when every keytab is written, then serves until
// it is killed. Keytabs are made 0600 before that line.
import java.io.File;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.hadoop.minikdc.MiniKdc;
import org.apache.kerby.kerberos.kerb.server.SimpleKdcServer;

public class MrkitKdc {
  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: MrkitKdc WORKDIR PORT KEYTAB=PRINCIPAL[,PRINCIPAL...] ...");
      System.exit(2);
    }
    Properties conf = MiniKdc.createConf();
    conf.setProperty(MiniKdc.ORG_NAME, "MRKIT");
    conf.setProperty(MiniKdc.ORG_DOMAIN, "TEST");
    conf.setProperty(MiniKdc.KDC_BIND_ADDRESS, "localhost");
    conf.setProperty(MiniKdc.KDC_PORT, args[1]);
    conf.setProperty(MiniKdc.TRANSPORT, "TCP");
    MiniKdc kdc = new MiniKdc(conf, new File(args[0]));
    kdc.start();
    Runtime.getRuntime().addShutdownHook(new Thread(kdc::stop));
    for (int i = 2; i < args.length; i++) {
      String[] group = args[i].split("=", 2);
      File keytab = new File(group[0]);
      Files.deleteIfExists(keytab.toPath());
      Files.createFile(keytab.toPath(), PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
      // "+NAME": a principal made by an earlier group, exported with its keys as they are (a
      // principal made again gets new keys and the earlier keytab stops working)
      List<String> created = new ArrayList<>();
      List<String> exported = new ArrayList<>();
      for (String name : group[1].split(",")) {
        (name.startsWith("+") ? exported : created).add(name.replaceFirst("^\\+", ""));
      }
      if (!created.isEmpty()) {
        kdc.createPrincipal(keytab, created.toArray(new String[0]));
      }
      for (String name : exported) {
        kerby(kdc).exportPrincipal(name.contains("@") ? name : name + "@" + kdc.getRealm(), keytab);
      }
      Files.setPosixFilePermissions(keytab.toPath(), PosixFilePermissions.fromString("rw-------"));
    }
    System.out.println("KDC READY realm=" + kdc.getRealm() + " port=" + kdc.getPort());
    System.out.flush();
    Thread.currentThread().join();
  }

  /** MiniKdc's Kerby server, which it keeps private: the one that can export a principal. */
  private static SimpleKdcServer kerby(MiniKdc kdc) throws ReflectiveOperationException {
    Field field = MiniKdc.class.getDeclaredField("simpleKdc");
    field.setAccessible(true);
    return (SimpleKdcServer) field.get(kdc);
  }
}
