"""Tests of the VK API sandbox (vk_sandbox)."""
