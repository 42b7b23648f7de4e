"""The product's URLs plus the bare reference view the asset list is measured against."""

from django.urls import path

from assetlife.urls import urlpatterns as product_urls

from .views import bare_assets

urlpatterns = [path("bench/bare-assets/", bare_assets), *product_urls]
