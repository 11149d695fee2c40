# make install (PREFIX, DESTDIR) and the Debian package both install these: the binary, its
# man page and the documentation. Nothing else is installed: the libraries are static and
# internal, and the tests are not part of an installation.
include(GNUInstallDirs)
install(TARGETS imagepin RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES docs/imagepin.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES README.md docs/config.md docs/rules.md docs/github.md docs/inventory.md
              docs/json-schema.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The example repository and workflows: `imagepin check` on a known-good tree, and the files
# docs/github.md tells a team to copy.
install(DIRECTORY examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
