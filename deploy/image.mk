# SPDX-License-Identifier: Apache-2.0
#
# deploy/image.mk -- `make image`: build the container image from
# deploy/Dockerfile with docker or podman.  Where no engine answers, say so
# and fail (an image that was not built must not look built).
#
#   make image [IMAGE=sluice] [IMAGE_TAG=<git describe>] [CONTAINER_ENGINE=docker|podman]
#
# Included by the top Makefile (`include deploy/image.mk`), or run alone:
#   make -f deploy/image.mk image

IMAGE ?= sluice
IMAGE_TAG ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
CONTAINER_ENGINE ?= $(shell command -v docker 2>/dev/null || command -v podman 2>/dev/null)

.PHONY: image
image:
	@if [ -z "$(CONTAINER_ENGINE)" ]; then \
		echo "make image: no container engine (docker or podman) is installed here; the image was not built." >&2; \
		echo "make image: run it where one is, or build with: docker build -f deploy/Dockerfile ." >&2; \
		exit 1; \
	fi; \
	if ! $(CONTAINER_ENGINE) info >/dev/null 2>&1; then \
		echo "make image: $(CONTAINER_ENGINE) is installed but its daemon/service does not answer; the image was not built." >&2; \
		exit 1; \
	fi
	$(CONTAINER_ENGINE) build -f deploy/Dockerfile -t $(IMAGE):$(IMAGE_TAG) .
	@echo "make image: built $(IMAGE):$(IMAGE_TAG)"
