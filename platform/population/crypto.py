"""The population record's encryption: the kernel's (core.crypto), named here for this app's code."""
from core.crypto import VERSION, decrypt, decryptor, encrypt, id_hash, lookup_hash, phone_hash

__all__ = ["VERSION", "decrypt", "decryptor", "encrypt", "id_hash", "lookup_hash", "phone_hash"]
