# The Debian package (make deb: cpack -G DEB in the build directory). Its Depends come from
# dpkg-shlibdeps on the installed binary, so they name exactly the runtime libraries it links
# (libyaml-0-2, libcurl4, libfmt9, libre2-9, libmimalloc2.0, libssl3, ...) and never a -dev
# or test package; tests/package_test.sh checks that.
set(CPACK_PACKAGE_NAME imagepin)
set(CPACK_PACKAGE_VENDOR imagepin)
set(CPACK_PACKAGE_CONTACT "imagepin maintainers <imagepin@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "check that every container image a GitOps repository deploys is pinned by digest")
set(CPACK_PACKAGE_DESCRIPTION
    "imagepin checks the Kubernetes manifests, Helm values and chart templates of a GitOps \
repository for container images not pinned by digest, bumps the fast lanes' digests and \
promotes digests between environments, with byte-exact atomic edits.")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # imagepin_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Not a shared library, so dpkg-shlibdeps cannot see it: the registry client verifies TLS
# against the system's CA bundle.
set(CPACK_DEBIAN_PACKAGE_DEPENDS ca-certificates)
# cpack installs what is already built instead of building `all` first (the tests): make deb
# builds the imagepin target before it runs cpack.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
include(CPack)
