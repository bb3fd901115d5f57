# SPDX-License-Identifier: Apache-2.0
# Install layout and the Debian package. Included last by the top-level CMakeLists.txt.
#
# The package is built with CMAKE_INSTALL_PREFIX=/usr (cpack sets CPACK_PACKAGING_INSTALL_PREFIX);
# /etc, /lib/systemd and /usr/lib/{sysusers,tmpfiles}.d are absolute because systemd and dpkg look
# there whatever the prefix. Test the layout with DESTDIR:
#   DESTDIR=/tmp/root cmake --install build-packaging --prefix /usr
# Build the package from a built tree:  cd build-packaging && cpack -G DEB

# "make install" and cpack install what is built and do not first rebuild the whole tree (tests,
# benchmarks): the packaging test packs an already built tree in seconds. Build first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

set(IBACKUPMON_UNIT_DIR /lib/systemd/system)
set(IBACKUPMON_SYSUSERS_DIR /usr/lib/sysusers.d)
set(IBACKUPMON_TMPFILES_DIR /usr/lib/tmpfiles.d)
set(IBACKUPMON_CONF_DIR /etc/ibackupmon)
set(IBACKUPMON_DOC_DIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/ibackupmon)

# --- binaries -------------------------------------------------------------------------------
if(TARGET ibackupmond)
  install(TARGETS ibackupmond RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
endif()
foreach(tool IN ITEMS ibackupmonctl ibackupmon-sim)
  if(TARGET ${tool})
    install(TARGETS ${tool} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()

# --- systemd integration --------------------------------------------------------------------
install(FILES ${CMAKE_SOURCE_DIR}/systemd/ibackupmon.service DESTINATION ${IBACKUPMON_UNIT_DIR})
install(FILES ${CMAKE_SOURCE_DIR}/systemd/ibackupmon.sysusers
        DESTINATION ${IBACKUPMON_SYSUSERS_DIR} RENAME ibackupmon.conf)
install(FILES ${CMAKE_SOURCE_DIR}/systemd/ibackupmon.tmpfiles
        DESTINATION ${IBACKUPMON_TMPFILES_DIR} RENAME ibackupmon.conf)

# --- configuration (a dpkg conffile: local edits survive upgrades) ---------------------------
# 0644: the file holds no secrets (passwords live in separate *_file keys) and group members
# running ibackupmonctl read it to find the database.
install(FILES ${CMAKE_SOURCE_DIR}/config/ibackupmon.toml.example
        DESTINATION ${IBACKUPMON_CONF_DIR} RENAME ibackupmon.toml
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# --- documentation and the monitoring kit ------------------------------------------------------
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${IBACKUPMON_DOC_DIR})
file(GLOB IBACKUPMON_DOCS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${IBACKUPMON_DOCS} DESTINATION ${IBACKUPMON_DOC_DIR}/docs)
install(FILES ${CMAKE_SOURCE_DIR}/config/ibackupmon.toml.example DESTINATION ${IBACKUPMON_DOC_DIR})
if(IS_DIRECTORY ${CMAKE_SOURCE_DIR}/deploy)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/deploy DESTINATION ${IBACKUPMON_DOC_DIR})
endif()

# --- Debian policy files: copyright (DEP-5) and the changelog (a native package: changelog.gz) ---
install(FILES ${CMAKE_SOURCE_DIR}/packaging/debian/copyright DESTINATION ${IBACKUPMON_DOC_DIR})
set(IBACKUPMON_CHANGELOG ${CMAKE_SOURCE_DIR}/packaging/debian/changelog)
file(STRINGS ${IBACKUPMON_CHANGELOG} changelog_head LIMIT_COUNT 1)
if(NOT changelog_head MATCHES "^ibackupmon \\(${PROJECT_VERSION}\\) ")
  # The packaging test fails on this too; a warning here says it at once.
  message(WARNING "packaging/debian/changelog starts with '${changelog_head}', "
                  "but the project version is ${PROJECT_VERSION}: add an entry")
endif()
set(changelog_gz ${CMAKE_BINARY_DIR}/packaging/changelog.gz)
add_custom_command(OUTPUT ${changelog_gz}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND gzip -9 -n -c ${IBACKUPMON_CHANGELOG} > ${changelog_gz}
  DEPENDS ${IBACKUPMON_CHANGELOG} VERBATIM)
add_custom_target(ibackupmon_changelog ALL DEPENDS ${changelog_gz})
install(FILES ${changelog_gz} DESTINATION ${IBACKUPMON_DOC_DIR})

# --- man pages: Markdown in docs/man/ -> roff with pandoc ----------------------------------------
find_program(PANDOC pandoc)
file(GLOB IBACKUPMON_MAN_SOURCES ${CMAKE_SOURCE_DIR}/docs/man/*.md)
if(PANDOC AND IBACKUPMON_MAN_SOURCES)
  set(man_outputs)
  foreach(src IN LISTS IBACKUPMON_MAN_SOURCES)
    get_filename_component(page ${src} NAME_WLE)        # ibackupmond.8
    string(REGEX MATCH "[0-9]$" section ${page})
    set(out ${CMAKE_BINARY_DIR}/man/${page})
    # gzip -n: no timestamp, so two builds of the same source give the same package.
    add_custom_command(OUTPUT ${out} ${out}.gz
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
      COMMAND ${PANDOC} -s -f markdown -t man ${src} -o ${out}
      COMMAND gzip -9 -n -c ${out} > ${out}.gz
      DEPENDS ${src} VERBATIM)
    list(APPEND man_outputs ${out} ${out}.gz)
    install(FILES ${out}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  endforeach()
  add_custom_target(ibackupmon_man ALL DEPENDS ${man_outputs})
else()
  message(WARNING "pandoc not found (Debian package pandoc): man pages are not built or installed")
endif()

# --- Debian package ------------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ibackupmon)
set(CPACK_PACKAGE_VENDOR "ibackupmon")
# Whoever builds packages for their site puts their own address here (-DIBACKUPMON_MAINTAINER=).
# The default is the project's commit identity; .invalid says plainly it is not a mailbox.
set(IBACKUPMON_MAINTAINER "ibackupmon developers <dev@ibackupmon.invalid>"
    CACHE STRING "Maintainer field of the .deb (Name <address>)")
set(CPACK_PACKAGE_CONTACT "${IBACKUPMON_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "monitor iCloud/computer backups of USB-attached iPhones and iPads")
# CPack puts the summary on the Description: line and indents this text itself: no leading
# spaces here, or dpkg shows the lines as preformatted.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"ibackupmon watches the iPhones and iPads attached to a host through usbmuxd,
records their last backups and what blocks them (storage, battery, trust,
iOS version, Apple outages), keeps the history in SQLite, exports Prometheus
metrics and emails administrators. It runs as the systemd service
ibackupmon.service under the unprivileged user ibackupmon.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Runtime library packages come from dpkg-shlibdeps (libimobiledevice6, libsqlite3-0, ...).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The maintainer scripts need systemd-sysusers and systemd-tmpfiles.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd | systemd-sysusers")
# idevicebackup2 (libimobiledevice-utils) runs the local safety-net backups ([local_backup]).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "usbmuxd, libimobiledevice-utils")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus, prometheus-alertmanager")
# CPack marks nothing as a conffile by itself: list it, with the maintainer scripts.
set(IBACKUPMON_DEB_DIR ${CMAKE_SOURCE_DIR}/packaging/debian)
file(WRITE ${CMAKE_BINARY_DIR}/packaging/conffiles "${IBACKUPMON_CONF_DIR}/ibackupmon.toml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_BINARY_DIR}/packaging/conffiles
    ${IBACKUPMON_DEB_DIR}/postinst ${IBACKUPMON_DEB_DIR}/prerm ${IBACKUPMON_DEB_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
